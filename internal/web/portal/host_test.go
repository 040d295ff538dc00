package portal_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

func TestHostResolution(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.brand("acme.localhost", "Acme Voice", nil)
		e.brand("bücher.example", "Bücher Telecom", nil)
		cases := map[string]string{ // Host header → brand shown, "" = plain 404
			"acme.localhost":              "Acme Voice",
			"ACME.LocalHost:8080":         "Acme Voice",
			"acme.localhost.":             "Acme Voice",
			"acme.localhost.:8080":        "Acme Voice",
			"BÜCHER.example":              "Bücher Telecom",
			"xn--bcher-kva.example:443":   "Bücher Telecom",
			"other.localhost":             "",
			"www.acme.localhost":          "",
			"acme.localhost.evil.example": "",
			"localhost":                   "",
			"127.0.0.1:8080":              "",
			"[::1]:8080":                  "",
			"":                            "",
		}
		for host, brand := range cases {
			r := httptest.NewRequest("GET", "/login", nil)
			r.Host = host
			w := httptest.NewRecorder()
			e.handler.ServeHTTP(w, r)
			body := w.Body.String()
			if brand == "" {
				if w.Code != http.StatusNotFound || strings.Contains(body, "Acme") || strings.Contains(body, "Bücher") {
					t.Errorf("host %q: got %d, want a 404 naming no brand:\n%s", host, w.Code, body)
				}
				continue
			}
			if w.Code != http.StatusOK || !strings.Contains(body, "Log in to "+brand) {
				t.Errorf("host %q: got %d, want the login page of %s:\n%s", host, w.Code, brand, body)
			}
		}
	})
}

// A domain added, renamed or removed in the panel (on any node: the map
// follows the store's change counter) changes routing on the next request.
func TestHostMapFollowsDomainChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser("new.localhost")
		b.get("/login").want(t, http.StatusNotFound, "before the domain exists")
		d := e.brand("new.localhost", "Newco", nil)
		b.get("/login").want(t, http.StatusOK, "right after the domain was added").has(t, "Newco")
		d.Domain = "renamed.localhost"
		if err := e.svc.UpdateDomain(ctx, e.owner, d); err != nil {
			t.Fatal(err)
		}
		b.get("/login").want(t, http.StatusNotFound, "old name after a rename")
		b.on("renamed.localhost").get("/login").want(t, http.StatusOK, "new name after a rename")
		if err := e.svc.DeleteDomain(ctx, e.owner, d.ID); err != nil {
			t.Fatal(err)
		}
		b.on("renamed.localhost").get("/login").want(t, http.StatusNotFound, "after the domain was deleted")
	})
}
