package api_test

import (
	"net/http"
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestBadInputIsRefusedByField sends each class of bad input and checks the
// answer names the field (or, for a broken body, says what is wrong) and
// that nothing was written.
func TestBadInputIsRefusedByField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dom := id(t, e.must(201, "POST", "/api/v1/domains", domainBody("portal.acme.example")))
		cust := id(t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "domain_id": dom}))
		con := id(t, e.must(201, "POST", pathf("/api/v1/customers/%d/contacts", cust),
			map[string]any{"name": "Ann", "email": "ann@globex.example", "password": "a long enough password"}))
		domPath, custPath, conPath := pathf("/api/v1/domains/%d", dom), pathf("/api/v1/customers/%d", cust), pathf("/api/v1/contacts/%d", con)
		newContacts := pathf("/api/v1/customers/%d/contacts", cust)
		withDomain := func(extra map[string]any) map[string]any {
			b := domainBody("portal.new.example")
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		withContact := func(extra map[string]any) map[string]any {
			b := map[string]any{"name": "Bob", "email": "bob@globex.example", "password": "a long enough password"}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}

		cases := []struct {
			name, method, path string
			body               any
			fields             []string // named in error.fields
			message            string   // in error.message, when no field applies
		}{
			// Money.
			{"money as a JSON number", "POST", "/api/v1/domains", withDomain(map[string]any{"signup_credit_limit": 5}), []string{"signup_credit_limit"}, "decimal string"},
			{"money not numeric", "POST", "/api/v1/customers", map[string]any{"name": "X", "credit_limit": "ten"}, []string{"credit_limit"}, "not a number"},
			{"money negative", "POST", "/api/v1/customers", map[string]any{"name": "X", "credit_limit": "-1.00"}, []string{"credit_limit"}, ""},
			{"money too many decimals", "PATCH", custPath, map[string]any{"credit_limit": "1.1234567"}, []string{"credit_limit"}, "6 decimals"},
			{"money in exponent form", "PATCH", domPath, map[string]any{"signup_credit_limit": "1e3"}, []string{"signup_credit_limit"}, ""},
			{"tax over 100 percent", "PATCH", custPath, map[string]any{"tax_percent": "150"}, []string{"tax_percent"}, ""},
			// Sections.
			{"unknown access key", "POST", "/api/v1/domains", withDomain(map[string]any{"access": []string{"balance", "telepathy"}}), []string{"access"}, ""},
			{"unknown override key", "PATCH", custPath, map[string]any{"access_overrides": map[string]bool{"telepathy": true}}, []string{"access_overrides"}, ""},
			{"override not a bool", "PATCH", custPath, map[string]any{"access_overrides": map[string]any{"cdr": "yes"}}, []string{"access_overrides"}, ""},
			// Names and text.
			{"missing domain and brand", "POST", "/api/v1/domains", map[string]any{"footer": "x"}, []string{"domain", "brand_name"}, ""},
			{"empty brand name", "PATCH", domPath, map[string]any{"brand_name": "  "}, []string{"brand_name"}, ""},
			{"brand name too long", "PATCH", domPath, map[string]any{"brand_name": strings.Repeat("x", 101)}, []string{"brand_name"}, ""},
			{"empty customer name", "POST", "/api/v1/customers", map[string]any{"name": ""}, []string{"name"}, ""},
			{"customer name too long", "PATCH", custPath, map[string]any{"name": strings.Repeat("x", 201)}, []string{"name"}, ""},
			{"domain with a scheme", "POST", "/api/v1/domains", withDomain(map[string]any{"domain": "https://portal.new.example/"}), []string{"domain"}, ""},
			{"bad email", "POST", newContacts, withContact(map[string]any{"email": "not-an-email"}), []string{"email"}, ""},
			{"bad email on patch", "PATCH", conPath, map[string]any{"email": "Bob <bob@globex.example>"}, []string{"email"}, ""},
			{"bad allowlist entry", "PATCH", conPath, map[string]any{"ip_allowlist": []string{"300.1.1.1"}}, []string{"ip_allowlist"}, ""},
			{"bad status", "PATCH", custPath, map[string]any{"status": "happy"}, []string{"status"}, ""},
			{"bad currency", "POST", "/api/v1/customers", map[string]any{"name": "X", "currency": "dollars"}, []string{"currency"}, ""},
			{"unknown template account", "PATCH", domPath, map[string]any{"template_account_id": 9999}, []string{"template_account_id"}, ""},
			{"unknown domain_id", "POST", "/api/v1/customers", map[string]any{"name": "X", "domain_id": 9999}, []string{"domain_id"}, ""},
			// JSON types, nulls, unknown and read-only fields, all at once.
			{"wrong JSON types", "PATCH", domPath, map[string]any{"customer_signup": "yes", "smtp_port": "25", "currencies": "USD", "footer": 7},
				[]string{"customer_signup", "smtp_port", "currencies", "footer"}, ""},
			{"id as a string", "PATCH", custPath, map[string]any{"domain_id": "1"}, []string{"domain_id"}, ""},
			{"null for a plain field", "PATCH", domPath, map[string]any{"footer": nil}, []string{"footer"}, "cannot be null"},
			{"unknown field", "POST", "/api/v1/domains", withDomain(map[string]any{"colour": "#ffffff"}), []string{"colour"}, `"colour"`},
			{"field in the wrong case", "PATCH", custPath, map[string]any{"Name": "x"}, []string{"Name"}, ""},
			{"read-only fields", "PATCH", domPath, map[string]any{"id": 5, "dns_status": "verified", "has_logo": true}, []string{"id", "dns_status", "has_logo"}, ""},
			{"kind is read-only", "PATCH", custPath, map[string]any{"kind": "carrier"}, []string{"kind"}, ""},
			{"several problems", "POST", "/api/v1/customers", map[string]any{"name": 1, "credit_limit": 5, "extra": true}, []string{"name", "credit_limit", "extra"}, ""},
			// Broken bodies.
			{"malformed JSON", "POST", "/api/v1/domains", `{"domain": "portal.new.example",`, nil, "not valid JSON"},
			{"trailing garbage", "PATCH", domPath, `{"footer": "x"} {"footer": "y"}`, nil, "not valid JSON"},
			{"array body", "PATCH", custPath, `[{"name": "x"}]`, nil, "JSON object"},
			{"null body", "PATCH", custPath, `null`, nil, "JSON object"},
			{"empty body", "POST", "/api/v1/customers", "", nil, "empty"},
			{"body over 1 MiB", "PATCH", domPath, map[string]any{"footer": strings.Repeat("x", 1<<20)}, nil, "1 MiB"},
			// Paging parameters.
			{"limit zero", "GET", "/api/v1/domains?limit=0", nil, []string{"limit"}, ""},
			{"limit over 500", "GET", "/api/v1/customers?limit=501", nil, []string{"limit"}, ""},
			{"limit not a number", "GET", "/api/v1/emails?limit=ten", nil, []string{"limit"}, ""},
			{"cursor not a number", "GET", "/api/v1/domains?after=abc", nil, []string{"after"}, ""},
			{"cursor negative", "GET", newContacts + "?after=-5", nil, []string{"after"}, ""},
			{"unknown status filter", "GET", "/api/v1/customers?status=happy", nil, []string{"status"}, ""},
		}

		lists := []string{"/api/v1/domains", "/api/v1/customers", "/api/v1/carriers", newContacts, domPath, custPath, conPath, "/api/v1/emails"}
		snapshot := func() string {
			var b strings.Builder
			for _, p := range lists {
				b.Write(e.request(e.owner, "GET", p, nil).Body)
			}
			return b.String()
		}
		before := snapshot()
		for _, c := range cases {
			r := e.request(e.owner, c.method, c.path, c.body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422: %s", c.name, r.Status, r.Body)
				continue
			}
			code, fields := r.errorFields(t)
			if code != "invalid" {
				t.Errorf("%s: code %q", c.name, code)
			}
			for _, f := range c.fields {
				if msg, _ := fields[f].(string); msg == "" {
					t.Errorf("%s: field %s not named: %s", c.name, f, r.Body)
				}
			}
			if len(fields) != len(c.fields) {
				t.Errorf("%s: fields %v, want exactly %v", c.name, fields, c.fields)
			}
			if msg := string(r.Body); c.message != "" && !strings.Contains(msg, c.message) {
				t.Errorf("%s: message lacks %q: %s", c.name, c.message, msg)
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
		}
	})
}
