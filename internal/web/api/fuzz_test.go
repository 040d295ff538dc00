package api_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
	"portico/internal/web/api"
)

// FuzzAPIBodies sends hostile JSON bodies (wrong types, NaN and negative
// money, huge numbers, script and SQL payloads, NUL bytes) to the API's
// create and update endpoints. No answer may be a 5xx, and a value echoed
// in an error must be escaped.
func FuzzAPIBodies(f *testing.F) {
	db := storetest.Open(f, store.Config{DataDir: f.TempDir()})
	svc := apptest.NewService(f, db)
	if err := svc.CreateUser(ctx, &portico.User{Email: "owner@operator.example", Role: portico.RoleOwner}, "correct horse battery staple"); err != nil {
		f.Fatal(err)
	}
	token, err := svc.CreateAPIToken(ctx, "owner@operator.example", "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	e := &env{db: db, handler: api.New(svc, slog.New(slog.DiscardHandler)), owner: token}
	for _, seed := range []string{
		`{"name":"<script>window.__xss=1</script>","credit_limit":"-1"}`,
		`{"name":"x","credit_limit":"NaN"}`, `{"name":"x","credit_limit":1e309}`, `{"name":"x","tax_percent":"-0.000001"}`,
		`{"domain":"bücher.example.","brand_name":"\u0000"}`, `{"domain":"a..b","access":["cdr","cdr\u0000"]}`,
		`{"name":"Robert'); DROP TABLE accounts;--"}`, `{"ip_allowlist":["10.0.0.0/33","fe80::1%eth0"]}`,
		`[]`, `null`, `{"name":{"$gt":""}}`, `{"email":"a@b\r\nBcc: c@d"}`, strings.Repeat(`{"a":`, 1000),
	} {
		f.Add(seed, uint8(0))
	}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		paths := []struct{ method, path string }{
			{"POST", "/api/v1/customers"}, {"POST", "/api/v1/domains"}, {"PATCH", "/api/v1/customers/1"},
			{"POST", "/api/v1/carriers"},
		}
		p := paths[int(which)%len(paths)]
		e.t = t
		r := e.request(e.owner, p.method, p.path, "ZQX<"+body)
		if r.Status >= 500 {
			t.Fatalf("%s %s answered %d: %s", p.method, p.path, r.Status, r.Body)
		}
		r = e.request(e.owner, p.method, p.path, body)
		if r.Status >= 500 {
			t.Fatalf("%s %s answered %d: %s", p.method, p.path, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "<script") {
			t.Fatalf("%s %s echoed markup unescaped: %s", p.method, p.path, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); r.Status != http.StatusNoContent && !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s answered %s", p.method, p.path, ct)
		}
	})
}
