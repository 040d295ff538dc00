package portal_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
	"portico/internal/web/httpx"
	"portico/internal/web/portal"
)

// marker starts every fuzzed value; if a page ever shows it with a raw
// "<" after it, a typed value reached the page unescaped.
const marker = "ZQX<"

// FuzzPortalForms posts hostile values (SQL and script payloads, CR/LF in
// emails, huge and NUL-laden passwords, IDN and trailing-dot names) to
// every public form of the portal and to the logged-in profile form. No
// answer may be a 5xx, and no value may come back unescaped.
func FuzzPortalForms(f *testing.F) {
	db := storetest.Open(f, store.Config{DataDir: f.TempDir()})
	svc := apptest.NewService(f, db)
	owner := &portico.User{Email: "owner@operator.example", Role: portico.RoleOwner}
	if err := svc.CreateUser(ctx, owner, goodPassword); err != nil {
		f.Fatal(err)
	}
	actor := app.Actor{UserID: owner.ID, Email: owner.Email, Role: owner.Role}
	brand := &portico.Domain{Domain: "acme.localhost", BrandName: "Acme", Access: allSections, CustomerSignup: true,
		CarrierSignup: true, Currencies: []string{"USD"}}
	if err := svc.CreateDomain(ctx, actor, brand); err != nil {
		f.Fatal(err)
	}
	acc := &portico.Account{Kind: portico.KindCustomer, Name: "Globex", DomainID: &brand.ID}
	if err := svc.CreateAccount(ctx, actor, acc); err != nil {
		f.Fatal(err)
	}
	c := &portico.Contact{AccountID: acc.ID, Name: "Ann", Email: "ann@globex.example"}
	if err := svc.CreateContact(ctx, actor, c, app.PasswordChoice{Password: goodPassword}); err != nil {
		f.Fatal(err)
	}
	h := httpx.SecurityHeaders(portal.New(svc, slog.New(slog.DiscardHandler)))
	do := func(method, path string, form url.Values, cookie *http.Cookie, ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://acme.localhost"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = ip + ":1234"
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	login := do("POST", "/login", url.Values{"email": {c.Email}, "password": {goodPassword}}, nil, "192.0.2.1")
	session := login.Result().Cookies()[0]

	for _, seed := range [][3]string{
		{"ann@globex.example\r\nBcc: victim@example.com", "' OR '1'='1' --", "Robert'); DROP TABLE contacts;--"},
		{"<script>window.__xss=1</script>@x.example", "\"><img src=x onerror=window.__xss=1>", "<svg onload=alert(1)>"},
		{"ann@bücher.example.", strings.Repeat("\x00", 200), strings.Repeat("p", 5000)},
		{"ANN@GLOBEX.EXAMPLE", goodPassword, "Europe/London"},
		{"", "", ""},
		{"x@xn--bcher-kva.example", "pass\x00word", "../../etc/passwd"},
	} {
		f.Add(seed[0], seed[1], seed[2], uint8(0))
	}
	n := 0
	f.Fuzz(func(t *testing.T, a, b, c string, which uint8) {
		a, b, c = marker+a, marker+b, marker+c
		n++
		ip := "198.51.100." + string(rune('0'+n%10)) // spread the per-address limits a little
		var res *httptest.ResponseRecorder
		switch which % 7 {
		case 0:
			res = do("POST", "/login", url.Values{"email": {a}, "password": {b}}, nil, ip)
		case 1:
			res = do("POST", "/signup", url.Values{"company_name": {a}, "name": {c}, "email": {a}, "password": {b},
				"currency": {c}, "accept_terms": {"1"}}, nil, ip)
		case 2:
			res = do("POST", "/forgot", url.Values{"email": {a}}, nil, ip)
		case 3:
			res = do("POST", "/reset?token="+url.QueryEscape(b), url.Values{"password": {c}}, nil, ip)
		case 4:
			res = do("POST", "/login/2fa", url.Values{"code": {a}}, nil, ip)
		case 5:
			res = do("POST", "/profile", url.Values{"name": {a}, "phone": {b}, "time_zone": {c}, "language": {c}}, session, "192.0.2.1")
		case 6:
			res = do("GET", "/activity?before="+url.QueryEscape(a), nil, session, "192.0.2.1")
		}
		if res.Code >= 500 {
			t.Fatalf("form %d answered %d: %s", which%7, res.Code, res.Body)
		}
		if strings.Contains(res.Body.String(), marker) {
			t.Fatalf("form %d echoed a value unescaped:\n%s", which%7, res.Body)
		}
		if res.Header().Get("Content-Security-Policy") == "" {
			t.Fatal("no CSP")
		}
	})
}
