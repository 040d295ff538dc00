package e2e

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/testkit"
)

var linkRE = regexp.MustCompile(`http://\S+token=[A-Za-z0-9_-]+`)

// TestCustomerWalkthrough is the customer's half of the seed walkthrough
// through the booted product: the welcome email over real SMTP, login on
// the brand's domain, the forced password change, the branded dashboard
// with public notes and only the allowed sections; then a visitor's signup,
// Pending Approval, approval by email, and login.
func TestCustomerWalkthrough(t *testing.T) {
	testkit.Each(t, fastMail, func(t *testing.T, in *testkit.Instance) {
		api := newAPI(t, in)
		dom := api.must(201, "POST", "/api/v1/domains", map[string]any{
			"domain": "acme.localhost", "brand_name": "Acme Telecom", "customer_signup": true,
			"signup_credit_limit": "25.00", "currencies": []string{"EUR", "USD"}, "access": []string{"balance", "cdr"},
		})
		api.must(201, "POST", "/api/v1/domains", map[string]any{"domain": "beta.localhost", "brand_name": "Beta Voice"})
		cust := api.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "domain_id": dom["id"]})
		api.must(201, "POST", fmt.Sprintf("/api/v1/customers/%v/contacts", cust["id"]), map[string]any{
			"name": "Ann Ops", "email": "ann@globex.example", "auto_generate_password": true,
			"public_notes": "Your account manager is Bob.", "private_notes": "Pays late.",
		})
		welcome := in.SMTP.WaitFor(t, "ann@globex.example", 10*time.Second)
		generated := passwordRE.FindStringSubmatch(welcome.Text)[1]

		// The same credentials are refused on another brand's domain.
		other := in.Client()
		if resp, body := postForm(t, other, in.URL("beta.localhost", "/login"), url.Values{"email": {"ann@globex.example"}, "password": {generated}}); resp.StatusCode != 401 {
			t.Fatalf("login on the wrong brand = %d: %s", resp.StatusCode, body)
		}

		ann := in.Client()
		resp, _ := postForm(t, ann, in.URL("acme.localhost", "/login"), url.Values{"email": {"Ann@Globex.example"}, "password": {generated}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/password" {
			t.Fatalf("first login = %d to %q, want 303 to /password", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := get(t, ann, in.URL("acme.localhost", "/")); resp.StatusCode != 303 {
			t.Fatalf("dashboard before the forced change = %d, want a redirect", resp.StatusCode)
		}
		resp, body := postForm(t, ann, in.URL("acme.localhost", "/password"), url.Values{"current_password": {generated}, "new_password": {"my own long secret"}})
		if resp.StatusCode != 303 {
			t.Fatalf("password change = %d: %s", resp.StatusCode, body)
		}
		resp, body = get(t, ann, in.URL("acme.localhost", "/"))
		if resp.StatusCode != 200 || !strings.Contains(body, "Acme Telecom") || !strings.Contains(body, "Your account manager is Bob.") {
			t.Fatalf("dashboard = %d, lacks brand or public notes:\n%s", resp.StatusCode, body)
		}
		if strings.Contains(body, "Pays late") || strings.Contains(body, "Beta Voice") {
			t.Fatal("dashboard shows private notes or another brand")
		}
		if !strings.Contains(body, `href="/balance"`) || strings.Contains(body, `href="/rates"`) {
			t.Fatal("dashboard links do not follow the brand's access list")
		}
		for path, want := range map[string]int{"/balance": 200, "/cdr": 200, "/rates": 404, "/payments": 404, "/carrier": 404} {
			if resp, _ := get(t, ann, in.URL("acme.localhost", path)); resp.StatusCode != want {
				t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
			}
		}
		// The session cookie is not a session on another brand's host.
		if resp, _ := get(t, ann, in.URL("beta.localhost", "/balance")); resp.StatusCode == 200 {
			t.Fatal("a session from acme.localhost worked on beta.localhost")
		}

		// A visitor signs up, verifies the email, waits for approval.
		visitor := in.Client()
		resp, body = postForm(t, visitor, in.URL("acme.localhost", "/signup"), url.Values{
			"company_name": {"Initech"}, "name": {"Peter"}, "email": {"peter@initech.example"},
			"password": {"tps reports 2026"}, "currency": {"EUR"}, "accept_terms": {"1"},
		})
		if resp.StatusCode >= 400 {
			t.Fatalf("signup = %d: %s", resp.StatusCode, body)
		}
		verify := in.SMTP.WaitFor(t, "peter@initech.example", 10*time.Second)
		link := linkRE.FindString(verify.Text)
		if !strings.HasPrefix(link, in.URL("acme.localhost", "/verify?token=")) {
			t.Fatalf("verify link %q is not on the brand's domain", link)
		}
		token := link[strings.Index(link, "token=")+len("token="):]
		if resp, _ := postForm(t, visitor, link, url.Values{"token": {token}}); resp.StatusCode >= 400 {
			t.Fatalf("verify = %d", resp.StatusCode)
		}
		pending := api.must(200, "GET", "/api/v1/customers?status=pending_approval", nil)["items"].([]any)
		if len(pending) != 1 {
			t.Fatalf("pending = %v", pending)
		}
		signup := pending[0].(map[string]any)
		if signup["name"] != "Initech" || signup["credit_limit"] != "25.00" || signup["currency"] != "EUR" {
			t.Fatalf("signup account = %v", signup)
		}
		if resp, _ := postForm(t, visitor, in.URL("acme.localhost", "/login"), url.Values{"email": {"peter@initech.example"}, "password": {"tps reports 2026"}}); resp.StatusCode != 401 {
			t.Fatalf("pending login = %d, want 401", resp.StatusCode)
		}
		api.must(200, "POST", fmt.Sprintf("/api/v1/customers/%v/approve", signup["id"]), nil)
		approved := in.SMTP.WaitFor(t, "peter@initech.example", 10*time.Second)
		if !strings.Contains(approved.Subject+approved.Text, "Acme Telecom") {
			t.Fatalf("approval mail lacks the brand: %s", approved.Subject)
		}
		resp, _ = postForm(t, visitor, in.URL("acme.localhost", "/login"), url.Values{"email": {"peter@initech.example"}, "password": {"tps reports 2026"}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
			t.Fatalf("approved login = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}

		// Unknown hosts get a neutral 404.
		if resp, body := get(t, in.Client(), in.URL("unknown.localhost", "/login")); resp.StatusCode != 404 || strings.Contains(body, "Acme") {
			t.Fatalf("unknown host = %d", resp.StatusCode)
		}
	})
}
