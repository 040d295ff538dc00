package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

func pathf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// TestOperatorWalkthrough is the operator half of the seed walkthrough,
// through the API only: a brand with every setting, a customer on it, a
// contact with a generated password whose welcome email waits in the log,
// then the pending-approval queue worked through.
func TestOperatorWalkthrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dom := e.must(201, "POST", "/api/v1/domains", map[string]any{
			"domain": "Portal.Acme-Voice.example", "brand_name": "Acme Voice",
			"customer_signup": true, "carrier_signup": true, "signup_credit_limit": "50.00",
			"currencies": []string{"USD", "EUR"}, "access": []string{"balance", "cdr", "rate_card", "payments", "invoices", "summary", "carrier_portal", "alerts"},
			"primary_color": "#1A73E8", "footer": "Acme Voice Ltd", "custom_css": ".x{color:red}",
			"smtp_host": "smtp.acme-voice.example", "smtp_port": 587, "smtp_username": "mailer",
			"smtp_password": "smtp-secret", "smtp_from": "noreply@acme-voice.example", "smtp_insecure": false,
		})
		domID := id(t, dom)
		want := map[string]any{
			"domain": "portal.acme-voice.example", "brand_name": "Acme Voice", "customer_signup": true, "carrier_signup": true,
			"signup_credit_limit": "50.00", "primary_color": "#1a73e8", "smtp_port": float64(587), "dns_status": "unchecked",
			"has_logo": false, "template_account_id": nil,
		}
		for k, v := range want {
			if dom[k] != v {
				t.Errorf("domain %s = %#v, want %#v", k, dom[k], v)
			}
		}
		if len(dom["access"].([]any)) != 8 || len(dom["currencies"].([]any)) != 2 {
			t.Errorf("access/currencies not kept: %v %v", dom["access"], dom["currencies"])
		}
		if _, ok := dom["smtp_password"]; ok {
			t.Errorf("response shows the SMTP password: %v", dom)
		}
		for _, k := range []string{"created_at", "updated_at"} {
			s, _ := dom[k].(string)
			if ts, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "Z") || time.Since(ts) > time.Minute {
				t.Errorf("%s = %q is not a recent RFC 3339 UTC time", k, s)
			}
		}

		cust := e.must(201, "POST", "/api/v1/customers", map[string]any{
			"name": "Globex", "domain_id": domID, "credit_limit": "100.50", "tax_percent": "20", "currency": "eur",
		})
		custID := id(t, cust)
		if cust["kind"] != "customer" || cust["status"] != "active" || cust["currency"] != "EUR" ||
			cust["credit_limit"] != "100.50" || cust["tax_percent"] != "20.00" || cust["domain_id"] != float64(domID) {
			t.Errorf("customer = %v", cust)
		}

		con := e.must(201, "POST", pathf("/api/v1/customers/%d/contacts", custID), map[string]any{
			"name": "Ann Smith", "email": "Ann@Globex.example", "auto_generate_password": true,
			"public_notes": "billing lead", "private_notes": "VIP", "ip_allowlist": []string{"203.0.113.7", "198.51.100.0/24"},
		})
		if con["email"] != "ann@globex.example" || con["account_id"] != float64(custID) || con["must_change_password"] != true {
			t.Errorf("contact = %v", con)
		}
		if al := con["ip_allowlist"].([]any); len(al) != 2 || al[0] != "203.0.113.7/32" {
			t.Errorf("ip_allowlist = %v", al)
		}
		assertNoSecret(t, con)
		assertNoSecret(t, e.must(200, "GET", pathf("/api/v1/contacts/%d", id(t, con)), nil))

		log := items(t, e.must(200, "GET", "/api/v1/emails", nil))
		if len(log) != 1 {
			t.Fatalf("email log = %v, want one welcome email", log)
		}
		m := log[0]
		if m["to"] != "ann@globex.example" || m["kind"] != "welcome" || m["status"] != "queued" || m["brand"] != "Acme Voice" ||
			m["attempts"] != float64(0) || m["sent_at"] != nil || m["subject"] == "" {
			t.Errorf("welcome email = %v", m)
		}
		for _, k := range []string{"text", "html", "body", "secret"} {
			if _, ok := m[k]; ok {
				t.Errorf("email log entry carries %q: %v", k, m)
			}
		}

		// The pending queue: two signups wait, an active customer does not.
		pend1 := id(t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Pending One", "status": "pending_approval", "domain_id": domID}))
		pend2 := id(t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Pending Two", "status": "pending_approval", "domain_id": domID}))
		e.must(201, "POST", pathf("/api/v1/customers/%d/contacts", pend1),
			map[string]any{"name": "Pat", "email": "pat@pending.example", "password": "a long enough password"})
		if got := ids(t, e.must(200, "GET", "/api/v1/customers?status=pending_approval", nil)); fmt.Sprint(got) != fmt.Sprint([]int64{pend1, pend2}) {
			t.Errorf("pending list = %v, want [%d %d]", got, pend1, pend2)
		}

		approved := e.must(200, "POST", pathf("/api/v1/customers/%d/approve", pend1), nil)
		if approved["status"] != "active" || id(t, approved) != pend1 {
			t.Errorf("approved = %v", approved)
		}
		if log := items(t, e.must(200, "GET", "/api/v1/emails", nil)); log[0]["kind"] != "account_approved" || log[0]["to"] != "pat@pending.example" {
			t.Errorf("newest email after approval = %v", log[0])
		}
		r := e.request(e.owner, "POST", pathf("/api/v1/customers/%d/approve", pend1), nil)
		if code, _ := r.errorFields(t); r.Status != http.StatusConflict || code != "conflict" {
			t.Errorf("approving an active account: %d %s", r.Status, r.Body)
		}
		// A customer's id under /carriers names nothing.
		if r := e.request(e.owner, "POST", pathf("/api/v1/carriers/%d/reject", pend2), nil); r.Status != http.StatusNotFound {
			t.Errorf("reject a customer as a carrier: %d", r.Status)
		}
		if rejected := e.must(200, "POST", pathf("/api/v1/customers/%d/reject", pend2), nil); rejected["status"] != "rejected" {
			t.Errorf("rejected = %v", rejected)
		}
		if got := ids(t, e.must(200, "GET", "/api/v1/customers?status=pending_approval", nil)); len(got) != 0 {
			t.Errorf("pending list after decisions = %v", got)
		}
		if got := ids(t, e.must(200, "GET", "/api/v1/customers?status=rejected", nil)); fmt.Sprint(got) != fmt.Sprint([]int64{pend2}) {
			t.Errorf("rejected list = %v", got)
		}
	})
}

// assertNoSecret fails if a contact's JSON carries any password material.
func assertNoSecret(t *testing.T, contact map[string]any) {
	t.Helper()
	for k := range contact {
		if strings.Contains(k, "password") && k != "must_change_password" || strings.Contains(k, "hash") {
			t.Errorf("contact JSON has %q: %v", k, contact)
		}
	}
	for _, v := range contact {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "$argon2") {
			t.Errorf("contact JSON carries a hash: %v", contact)
		}
	}
}

// ids returns the ids of a list's items in order.
func ids(t *testing.T, list map[string]any) []int64 {
	t.Helper()
	var out []int64
	for _, it := range items(t, list) {
		out = append(out, id(t, it))
	}
	return out
}
