package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/cli"
	"portico/internal/testkit"
)

// fastMail makes the mail worker retry within a test's patience.
var fastMail = testkit.Options{BeforeServe: func(s *cli.Server) {
	s.Worker().PollInterval = 50 * time.Millisecond
	s.Worker().Retries = []time.Duration{100 * time.Millisecond, 100 * time.Millisecond}
}}

var passwordRE = regexp.MustCompile(`Password:\s+(\S+)`)

// TestOperatorWalkthrough is the operator's half of the seed walkthrough,
// through the booted product: first owner from the setup link, a portal
// domain, a customer, a contact with a generated password that arrives by
// real SMTP and is never seen anywhere else, and pending approval.
func TestOperatorWalkthrough(t *testing.T) {
	testkit.Each(t, fastMail, func(t *testing.T, in *testkit.Instance) {
		ctx := context.Background()
		browser := in.Client()

		// The setup link works once, by POST.
		link := in.SetupLink(t)
		if resp, _ := get(t, browser, link); resp.StatusCode != 200 {
			t.Fatalf("GET setup link = %d", resp.StatusCode)
		}
		token := link[strings.Index(link, "token=")+len("token="):]
		form := url.Values{"token": {token}, "email": {"owner@operator.test"}, "name": {"Olga Owner"}, "password": {"owner passphrase 9"}}
		if resp, body := postForm(t, browser, in.URL("localhost", "/setup?token="+url.QueryEscape(token)), form); resp.StatusCode != 303 {
			t.Fatalf("POST setup = %d: %s", resp.StatusCode, body)
		}
		if resp, _ := postForm(t, in.Client(), in.URL("localhost", "/setup?token="+url.QueryEscape(token)), form); resp.StatusCode != 404 {
			t.Fatalf("second use of the setup link = %d, want 404", resp.StatusCode)
		}
		if resp, body := get(t, browser, in.URL("localhost", "/")); resp.StatusCode != 200 || !strings.Contains(body, "owner@operator.test") && !strings.Contains(body, "Olga") {
			t.Fatalf("owner not logged in after setup: %d", resp.StatusCode)
		}

		api := newAPI(t, in)
		dom := api.must(201, "POST", "/api/v1/domains", map[string]any{
			"domain": "Acme.Localhost", "brand_name": "Acme Telecom", "customer_signup": true, "carrier_signup": false,
			"signup_credit_limit": "50.00", "currencies": []string{"USD", "EUR"}, "access": []string{"balance", "cdr", "rate_card"},
		})
		if dom["domain"] != "acme.localhost" || dom["dns_status"] != "unchecked" || dom["signup_credit_limit"] != "50.00" {
			t.Fatalf("domain = %v", dom)
		}
		domainID := dom["id"]
		if status, out, _ := api.do("POST", "/api/v1/domains", map[string]any{"domain": "acme.localhost", "brand_name": "Again"}); status != 409 {
			t.Fatalf("duplicate domain = %d %v", status, out)
		}
		if status, out, _ := api.do("POST", "/api/v1/domains", map[string]any{"domain": "b.localhost", "brand_name": "B", "access": []string{"everything"}}); status != 422 {
			t.Fatalf("unknown access key = %d %v", status, out)
		}

		cust := api.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "domain_id": domainID, "credit_limit": "100.00"})
		if cust["status"] != "active" || cust["currency"] != "USD" {
			t.Fatalf("customer = %v", cust)
		}

		// The first delivery attempt fails, so the message waits in the
		// outbox and we can look at how it is kept there.
		in.SMTP.FailNext(1)
		contact := api.must(201, "POST", fmt.Sprintf("/api/v1/customers/%v/contacts", cust["id"]), map[string]any{
			"name": "Ann Ops", "email": "Ann@Globex.example", "auto_generate_password": true,
			"public_notes": "Your account manager is Bob.", "private_notes": "Pays late.",
		})
		if contact["email"] != "ann@globex.example" || contact["must_change_password"] != true {
			t.Fatalf("contact = %v", contact)
		}
		emailID := waitForEmail(t, api, "ann@globex.example", func(e map[string]any) bool { return e["attempts"].(float64) >= 1 })
		sealed, err := in.Server.Service().DB.Read().EmailSecret(ctx, emailID)
		if err != nil || len(sealed) == 0 {
			t.Fatalf("secret not held in the outbox after a failed attempt: %v", err)
		}

		msg := in.SMTP.WaitFor(t, "ann@globex.example", 10*time.Second)
		m := passwordRE.FindStringSubmatch(msg.Text)
		if m == nil {
			t.Fatalf("welcome mail has no password:\n%s", msg.Text)
		}
		password := m[1]
		if !strings.Contains(msg.Text, in.URL("acme.localhost", "/login")) || !strings.Contains(msg.Subject, "Acme Telecom") {
			t.Fatalf("welcome mail lacks the brand's login URL or name:\n%s\n%s", msg.Subject, msg.Text)
		}
		if !strings.Contains(msg.HTML, password) {
			t.Fatal("HTML part lacks the password")
		}
		if strings.Contains(string(sealed), password) {
			t.Fatal("outbox held the password in plain text")
		}
		waitForEmail(t, api, "ann@globex.example", func(e map[string]any) bool { return e["status"] == "sent" })
		if sealed, _ := in.Server.Service().DB.Read().EmailSecret(ctx, emailID); len(sealed) != 0 {
			t.Fatal("secret not erased after sending")
		}
		_, _, emailsRaw := api.do("GET", "/api/v1/emails", nil)
		_, _, contactRaw := api.do("GET", fmt.Sprintf("/api/v1/contacts/%v", contact["id"]), nil)
		for where, text := range map[string]string{"email log": emailsRaw, "contact JSON": contactRaw, "server log": in.Logs.String(), "terminal": in.Stdout.String()} {
			if strings.Contains(text, password) {
				t.Errorf("the generated password appears in the %s", where)
			}
		}
		if strings.Contains(contactRaw, "argon2") || strings.Contains(contactRaw, `"password"`) {
			t.Errorf("contact JSON exposes a password field: %s", contactRaw)
		}

		// Pending approval: listed, approved, and the contact is told.
		pending := api.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Initech", "domain_id": domainID, "status": "pending_approval"})
		api.must(201, "POST", fmt.Sprintf("/api/v1/customers/%v/contacts", pending["id"]), map[string]any{
			"name": "Peter", "email": "peter@initech.example", "password": "tps reports 2026"})
		list := api.must(200, "GET", "/api/v1/customers?status=pending_approval", nil)
		if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["name"] != "Initech" {
			t.Fatalf("pending list = %v", list)
		}
		if got := api.must(200, "POST", fmt.Sprintf("/api/v1/customers/%v/approve", pending["id"]), nil); got["status"] != "active" {
			t.Fatalf("approved = %v", got)
		}
		if msg := in.SMTP.WaitFor(t, "peter@initech.example", 10*time.Second); !strings.Contains(msg.Subject+msg.Text, "Acme Telecom") {
			t.Fatalf("approval mail does not carry the brand: %s\n%s", msg.Subject, msg.Text)
		}

		// Health answers on any host.
		if resp, _ := get(t, in.Client(), in.URL("anything.example", "/healthz")); resp.StatusCode != 200 {
			t.Fatalf("healthz = %d", resp.StatusCode)
		}
	})
}

// waitForEmail polls the email log until the newest message to addr
// satisfies ok, and returns its id.
func waitForEmail(t *testing.T, api *apiClient, addr string, ok func(map[string]any) bool) int64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log := api.must(200, "GET", "/api/v1/emails", nil)
		for _, it := range log["items"].([]any) {
			e := it.(map[string]any)
			if e["to"] == addr && ok(e) {
				return int64(e["id"].(float64))
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s reached the expected state; log: %v", addr, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
