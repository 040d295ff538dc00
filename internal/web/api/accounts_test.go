package api_test

import (
	"net/http"
	"slices"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestAccountsOfBothKinds runs the same lifecycle under /customers and
// /carriers, and checks that neither path shows the other kind.
func TestAccountsOfBothKinds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dom := id(t, e.must(201, "POST", "/api/v1/domains", domainBody("portal.acme.example")))
		for _, k := range []struct{ plural, kind, other string }{
			{"customers", "customer", "carriers"},
			{"carriers", "carrier", "customers"},
		} {
			base := "/api/v1/" + k.plural
			acc := e.must(201, "POST", base, map[string]any{
				"name": "Globex " + k.kind, "domain_id": dom, "credit_limit": "10.5",
				"access_overrides": map[string]bool{"cdr": false, "alerts": true}, "tax_id": "GB123", "notes": "n",
			})
			accID := id(t, acc)
			if acc["kind"] != k.kind || acc["status"] != "active" || acc["currency"] != "USD" || acc["credit_limit"] != "10.50" {
				t.Errorf("%s created = %v", k.kind, acc)
			}
			if r := e.request(e.owner, "GET", pathf("/api/v1/%s/%d", k.other, accID), nil); r.Status != http.StatusNotFound {
				t.Errorf("%s id under /%s: %d", k.kind, k.other, r.Status)
			}
			if r := e.request(e.owner, "PATCH", pathf("/api/v1/%s/%d", k.other, accID), map[string]any{"name": "x"}); r.Status != http.StatusNotFound {
				t.Errorf("PATCH %s id under /%s: %d", k.kind, k.other, r.Status)
			}
			if got := ids(t, e.must(200, "GET", "/api/v1/"+k.other, nil)); slices.Contains(got, accID) {
				t.Errorf("/%s lists the %s", k.other, k.kind)
			}

			// PATCH changes what it names and nothing else; maps are replaced.
			patched := e.must(200, "PATCH", pathf("%s/%d", base, accID), map[string]any{"notes": "changed", "access_overrides": map[string]bool{"balance": false}})
			if patched["notes"] != "changed" || patched["credit_limit"] != "10.50" || patched["tax_id"] != "GB123" ||
				patched["domain_id"] != float64(dom) || pathf("%v", patched["access_overrides"]) != "map[balance:false]" {
				t.Errorf("after PATCH: %v", patched)
			}
			if got := e.must(200, "GET", pathf("%s/%d", base, accID), nil); pathf("%v", got) != pathf("%v", patched) {
				t.Errorf("GET after PATCH = %v, want %v", got, patched)
			}
			// null clears the domain.
			if got := e.must(200, "PATCH", pathf("%s/%d", base, accID), map[string]any{"domain_id": nil}); got["domain_id"] != nil {
				t.Errorf("domain_id after null = %v", got["domain_id"])
			}

			// Search by name.
			if got := ids(t, e.must(200, "GET", base+"?q=GLOBEX", nil)); len(got) != 1 || got[0] != accID {
				t.Errorf("search = %v", got)
			}
			if got := ids(t, e.must(200, "GET", base+"?q=nobody", nil)); len(got) != 0 {
				t.Errorf("search for nobody = %v", got)
			}

			// Without history: gone (204). With history: archived (200).
			e.must(204, "DELETE", pathf("%s/%d", base, accID), nil)
			if r := e.request(e.owner, "GET", pathf("%s/%d", base, accID), nil); r.Status != http.StatusNotFound {
				t.Errorf("deleted %s still readable: %d", k.kind, r.Status)
			}
			kept := id(t, e.must(201, "POST", base, map[string]any{"name": "Kept " + k.kind}))
			con := id(t, e.must(201, "POST", pathf("%s/%d/contacts", base, kept),
				map[string]any{"name": "Ann", "email": "ann@" + k.kind + ".example", "password": "a long enough password"}))
			if err := db.Write(ctx, func(q *store.Q) error { return q.RecordContactLogin(ctx, con) }); err != nil {
				t.Fatal(err)
			}
			if got := e.must(200, "DELETE", pathf("%s/%d", base, kept), nil); got["status"] != "archived" || id(t, got) != kept {
				t.Errorf("DELETE with history = %v, want the archived account", got)
			}
			if got := e.must(200, "GET", pathf("%s/%d", base, kept), nil); got["status"] != "archived" {
				t.Errorf("archived account = %v", got)
			}
			if r := e.request(e.owner, "DELETE", pathf("%s/%d", base, 99999), nil); r.Status != http.StatusNotFound {
				t.Errorf("DELETE unknown: %d", r.Status)
			}
		}
	})
}
