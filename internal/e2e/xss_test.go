package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portico/internal/cli"
	"portico/internal/testkit"
)

// The stored script payloads: one that runs if it reaches the page as
// markup, and one that runs if it breaks out of an attribute.
const (
	xssScript = `<script>window.__xss=1</script>`
	xssAttr   = `"><img src=x onerror=window.__xss=1>`
)

// TestStoredScriptNeverRuns stores script in every field people and
// switches fill (an account name, a contact's name and notes, a signup's
// company and person, a CDR's numbers, destination and reason) and opens
// every page that shows them, in the control panel and the portal, in
// Chromium: window.__xss must stay unset, and the payload must show as
// the text it is (escaped, not dropped), so the test fails if escaping
// broke even though the CSP would still block the script.
func TestStoredScriptNeverRuns(t *testing.T) {
	ctx := testkit.Browser(t)
	in := testkit.Boot(t, cli.DBConfig{Data: t.TempDir()}, fastMail)
	api := newAPI(t, in)
	dom := api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": "acme.localhost", "brand_name": "Acme",
		"customer_signup": true, "access": []string{"balance", "cdr"}})
	cust := api.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex " + xssScript, "domain_id": dom["id"]})
	contact := api.must(201, "POST", fmt.Sprintf("/api/v1/customers/%v/contacts", cust["id"]), map[string]any{
		"name": "Ann " + xssAttr, "email": "ann@globex.example", "password": "ann passphrase 123",
		"public_notes": "Public " + xssScript + " " + xssAttr, "private_notes": "Private " + xssScript + " " + xssAttr,
	})
	// CDR fields: the portal and panel pages that list calls come with the
	// billing work; the payload is stored now so they are covered then.
	if status, _, raw := api.do("POST", "/api/v1/cdrs", []map[string]any{{"call_id": "xss-1", "switch": "sw1",
		"start_time": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "customer_id": cust["id"],
		"source_number": "+441234567890", "destination_number": "+449876543210", "duration": 60,
		"destination_name": xssAttr, "sip_code": 200, "sip_reason": xssScript}}); status != 200 {
		t.Logf("CDR with payloads not stored (%d: %s); CDR pages are checked without it", status, raw)
	}
	signup := url.Values{"company_name": {"Hooli " + xssAttr}, "name": {"Sam " + xssScript}, "email": {"sam@hooli.example"},
		"password": {"sam passphrase 123"}, "currency": {"USD"}, "accept_terms": {"1"}}
	if resp, body := postForm(t, in.Client(), in.URL("acme.localhost", "/signup"), signup); resp.StatusCode != 200 {
		t.Fatalf("signup with payload names: %d\n%s", resp.StatusCode, body)
	}

	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %q: %v", expr, err)
		}
		return v
	}
	// visit opens a page and checks nothing ran; shown lists payloads the
	// page must show as text (in its text or its form controls).
	visit := func(u string, shown ...string) {
		t.Helper()
		run("open "+u, chromedp.Navigate(u), chromedp.WaitReady("body"))
		if got := eval(`String(window.__xss)`); got != "undefined" {
			t.Fatalf("%s: stored script ran (window.__xss = %s)", u, got)
		}
		text := eval(`document.body.innerText + "\n" + Array.from(document.querySelectorAll("input, textarea")).map(e => e.value).join("\n")`)
		for _, s := range shown {
			if !strings.Contains(text, s) {
				t.Errorf("%s: %q is not shown as text (escaping broke, or the page dropped it):\n%s", u, s, text)
			}
		}
	}

	// The control panel.
	run("log into the panel", chromedp.Navigate(in.URL("localhost", "/login")),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "ops@operator.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "operator passphrase 1"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
	visit(in.URL("localhost", "/"))
	visit(in.URL("localhost", "/pending"), "Hooli "+xssAttr)
	visit(in.URL("localhost", "/customers"), "Globex "+xssScript, "Hooli "+xssAttr)
	visit(in.URL("localhost", fmt.Sprintf("/customers/%v", cust["id"])), "Globex "+xssScript, "Ann "+xssAttr)
	visit(in.URL("localhost", fmt.Sprintf("/contacts/%v", contact["id"])), "Ann "+xssAttr, "Private "+xssScript+" "+xssAttr)
	visit(in.URL("localhost", fmt.Sprintf("/contacts/%v/security", contact["id"])), "Ann "+xssAttr)
	visit(in.URL("localhost", "/audit"), "Globex "+xssScript)
	visit(in.URL("localhost", "/emails"))

	// The portal, as the contact.
	run("log into the portal", chromedp.Navigate(in.URL("acme.localhost", "/login")),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "ann@globex.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "ann passphrase 123"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.account`)))
	visit(in.URL("acme.localhost", "/"), "Public "+xssScript+" "+xssAttr, "Globex "+xssScript)
	visit(in.URL("acme.localhost", "/profile"), "Ann "+xssAttr)
	visit(in.URL("acme.localhost", "/balance"))
	visit(in.URL("acme.localhost", "/cdr"))
	visit(in.URL("acme.localhost", "/activity"))
	visit(in.URL("acme.localhost", "/sessions"))
}
