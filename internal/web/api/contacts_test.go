package api_test

import (
	"net/http"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

func TestContacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dom := id(t, e.must(201, "POST", "/api/v1/domains", domainBody("portal.acme.example")))
		cust := id(t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "domain_id": dom}))
		bare := id(t, e.must(201, "POST", "/api/v1/customers", customerBody("No Domain Ltd")))
		carr := id(t, e.must(201, "POST", "/api/v1/carriers", customerBody("Initech")))
		contacts := pathf("/api/v1/customers/%d/contacts", cust)

		refused := []struct {
			name, path string
			body       map[string]any
			status     int
			field      string
		}{
			{"no password choice", contacts, map[string]any{"name": "Ann", "email": "ann@globex.example"}, 422, "password"},
			{"both choices", contacts, map[string]any{"name": "Ann", "email": "ann@globex.example", "auto_generate_password": true, "password": "a long enough password"}, 422, "password"},
			{"short password", contacts, map[string]any{"name": "Ann", "email": "ann@globex.example", "password": "short"}, 422, "password"},
			{"generated without a brand to email from", pathf("/api/v1/customers/%d/contacts", bare), map[string]any{"name": "Ann", "email": "ann@globex.example", "auto_generate_password": true}, 422, "auto_generate_password"},
			{"account_id is read-only", contacts, map[string]any{"name": "Ann", "email": "ann@globex.example", "password": "a long enough password", "account_id": bare}, 422, "account_id"},
		}
		for _, c := range refused {
			r := e.request(e.owner, "POST", c.path, c.body)
			if _, fields := r.errorFields(t); r.Status != c.status || fields[c.field] == nil {
				t.Errorf("%s: %d %s, want %d naming %s", c.name, r.Status, r.Body, c.status, c.field)
			}
		}
		if r := e.request(e.owner, "POST", pathf("/api/v1/carriers/%d/contacts", cust), map[string]any{"name": "Ann", "email": "ann@globex.example", "password": "a long enough password"}); r.Status != http.StatusNotFound {
			t.Errorf("customer's contacts under /carriers: %d", r.Status)
		}
		if r := e.request(e.owner, "GET", pathf("/api/v1/carriers/%d/contacts", cust), nil); r.Status != http.StatusNotFound {
			t.Errorf("list customer's contacts under /carriers: %d", r.Status)
		}
		if got := items(t, e.must(200, "GET", contacts, nil)); len(got) != 0 {
			t.Fatalf("refused creates stored contacts: %v", got)
		}
		if got := items(t, e.must(200, "GET", "/api/v1/emails", nil)); len(got) != 0 {
			t.Fatalf("refused creates queued mail: %v", got)
		}

		// A typed password: no email, no forced change.
		ann := e.must(201, "POST", contacts, map[string]any{"name": "Ann", "email": "ann@globex.example", "password": "a long enough password", "phone": "+44 20 7946 0000"})
		annID := id(t, ann)
		if ann["must_change_password"] != false || ann["time_zone"] != "UTC" || ann["language"] != "en" {
			t.Errorf("contact = %v", ann)
		}
		assertNoSecret(t, ann)
		if got := items(t, e.must(200, "GET", "/api/v1/emails", nil)); len(got) != 0 {
			t.Errorf("a typed password queued mail: %v", got)
		}
		r := e.request(e.owner, "POST", pathf("/api/v1/carriers/%d/contacts", carr), map[string]any{"name": "Ann", "email": "ANN@globex.example", "password": "a long enough password"})
		if _, fields := r.errorFields(t); r.Status != http.StatusConflict || fields["email"] == nil {
			t.Errorf("duplicate email: %d %s", r.Status, r.Body)
		}

		// PATCH keeps the rest and cannot touch the password.
		patched := e.must(200, "PATCH", pathf("/api/v1/contacts/%d", annID), map[string]any{"contact_type": "billing", "disabled": true})
		if patched["contact_type"] != "billing" || patched["disabled"] != true || patched["name"] != "Ann" || patched["phone"] != "+44 20 7946 0000" {
			t.Errorf("after PATCH: %v", patched)
		}
		for _, f := range []string{"password", "auto_generate_password", "password_hash", "must_change_password"} {
			r := e.request(e.owner, "PATCH", pathf("/api/v1/contacts/%d", annID), map[string]any{f: "x"})
			if _, fields := r.errorFields(t); r.Status != http.StatusUnprocessableEntity || fields[f] == nil {
				t.Errorf("PATCH %s: %d %s", f, r.Status, r.Body)
			}
		}

		// Password changes: generated ones are emailed and must be changed.
		for _, body := range []map[string]any{{}, {"password": "short"}, {"auto_generate_password": true, "password": "a long enough password"}} {
			if r := e.request(e.owner, "POST", pathf("/api/v1/contacts/%d/password", annID), body); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("password %v: %d", body, r.Status)
			}
		}
		if r := e.request(e.owner, "POST", pathf("/api/v1/contacts/%d/password", annID), map[string]any{"auto_generate_password": true}); r.Status != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("generate password: %d %s", r.Status, r.Body)
		}
		if got := e.must(200, "GET", pathf("/api/v1/contacts/%d", annID), nil); got["must_change_password"] != true {
			t.Errorf("generated password not flagged for change: %v", got)
		}
		if log := items(t, e.must(200, "GET", "/api/v1/emails", nil)); len(log) != 1 || log[0]["kind"] != "password_changed" || log[0]["to"] != "ann@globex.example" {
			t.Errorf("email log = %v", log)
		}
		e.must(204, "POST", pathf("/api/v1/contacts/%d/password", annID), map[string]any{"password": "another long password"})
		if got := e.must(200, "GET", pathf("/api/v1/contacts/%d", annID), nil); got["must_change_password"] != false {
			t.Errorf("typed password still flagged for change: %v", got)
		}
		if r := e.request(e.owner, "POST", "/api/v1/contacts/9999/password", map[string]any{"password": "another long password"}); r.Status != http.StatusNotFound {
			t.Errorf("password of unknown contact: %d", r.Status)
		}

		if got := ids(t, e.must(200, "GET", contacts, nil)); len(got) != 1 || got[0] != annID {
			t.Errorf("contacts = %v", got)
		}
		e.must(204, "DELETE", pathf("/api/v1/contacts/%d", annID), nil)
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			if r := e.request(e.owner, m, pathf("/api/v1/contacts/%d", annID), map[string]any{"name": "x"}); r.Status != http.StatusNotFound {
				t.Errorf("%s deleted contact: %d", m, r.Status)
			}
		}
	})
}
