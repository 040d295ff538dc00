package panel

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
	"portico/internal/web/httpx"
)

const marker = "ZQX<"

// FuzzPanelForms posts hostile values (script payloads, SQL, CR/LF, NUL,
// negative and NaN money, malformed CIDRs, IDN and trailing-dot names) to
// the account, contact, allowlist and audit-filter forms. No answer may be
// a 5xx, and no value may come back unescaped.
func FuzzPanelForms(f *testing.F) {
	db := storetest.Open(f, store.Config{DataDir: f.TempDir()})
	svc := apptest.NewService(f, db)
	if err := svc.CreateUser(ctx, &portico.User{Email: "ops@example.com", Role: portico.RoleOwner}, testPassword); err != nil {
		f.Fatal(err)
	}
	h := httpx.SecurityHeaders(New(svc, slog.New(slog.DiscardHandler)))
	do := func(method, path string, form url.Values, cookie *http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://localhost"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "127.0.0.1:1234"
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	cookie := do("POST", "/login", url.Values{"email": {"ops@example.com"}, "password": {testPassword}}, nil).Result().Cookies()[0]
	acc := &portico.Account{Kind: portico.KindCustomer, Name: "Globex"}
	if err := svc.CreateAccount(ctx, app.Actor{UserID: 1, Email: "ops@example.com", Role: portico.RoleOwner}, acc); err != nil {
		f.Fatal(err)
	}
	accPath := "/customers/" + strconv.FormatInt(acc.ID, 10)

	for _, seed := range [][3]string{
		{"<script>window.__xss=1</script>", "-1", "10.0.0.0/33\n::1/129\nfe80::1%eth0"},
		{"\"><img src=x onerror=window.__xss=1>", "NaN", "not an ip"},
		{"Robert'); DROP TABLE accounts;--", "1e309", "0.0.0.0/0"},
		{"a@b.example\r\nBcc: x@y.example", "-9223372036854.775808", "203.0.113.7"},
		{"bücher.example.", "0.0000001", "\x00"},
		{strings.Repeat("x", 6000), "+.5", "1.2.3.4/24"},
	} {
		f.Add(seed[0], seed[1], seed[2], uint8(0))
	}
	f.Fuzz(func(t *testing.T, a, b, c string, which uint8) {
		a, b, c = marker+a, marker+b, marker+c
		var res *httptest.ResponseRecorder
		switch which % 5 {
		case 0:
			res = do("POST", "/customers", url.Values{"name": {a}, "status": {b}, "currency": {c}, "credit_limit": {b},
				"tax_percent": {c}, "domain_id": {b}, "notes": {a}, "access_cdr": {c}}, cookie)
		case 1:
			res = do("POST", accPath+"/contacts", url.Values{"name": {a}, "email": {a}, "phone": {b}, "ip_allowlist": {c},
				"public_notes": {a}, "private_notes": {b}, "time_zone": {c}, "language": {b}, "password": {b}}, cookie)
		case 2:
			res = do("POST", "/security/ip-allowlist", url.Values{"ip_allowlist": {c}}, cookie)
		case 3:
			res = do("GET", "/audit?"+url.Values{"action": {a}, "actor": {b}, "account": {c}, "since": {b}, "until": {c},
				"outcome": {a}, "before": {b}}.Encode(), nil, cookie)
		case 4:
			res = do("POST", "/login/2fa", url.Values{"code": {a}, "next": {b}}, nil)
		}
		if res.Code >= 500 {
			t.Fatalf("form %d answered %d: %s", which%5, res.Code, res.Body)
		}
		if strings.Contains(res.Body.String(), marker) {
			t.Fatalf("form %d echoed a value unescaped:\n%s", which%5, res.Body)
		}
		if loc := res.Header().Get("Location"); strings.Contains(loc, "//") && !strings.HasPrefix(loc, "/") {
			t.Fatalf("form %d redirects off the panel: %q", which%5, loc)
		}
	})
}
