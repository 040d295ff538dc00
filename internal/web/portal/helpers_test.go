package portal_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/web/httpx"
	"portico/internal/web/portal"
)

var ctx = context.Background()

// env is a portal served over loopback on a fresh database, with an owner
// who sets up brands, accounts and contacts through the app, as the panel
// would.
type env struct {
	t       *testing.T
	db      *store.DB
	svc     *app.Service
	handler http.Handler
	srv     *httptest.Server
	owner   app.Actor
}

const goodPassword = "correct horse battery staple"

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	svc := apptest.NewService(t, db)
	svc.Links.PanelHost = "panel.localhost"
	// Wrapped as the lead's router wraps it.
	h := httpx.SecurityHeaders(http.NewCrossOriginProtection().Handler(portal.New(svc, slog.New(slog.DiscardHandler))))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, svc: svc, handler: h, srv: srv}
	for _, role := range []string{portico.RoleOwner, portico.RoleAdmin, portico.RoleSupport} {
		u := &portico.User{Email: role + "@operator.example", Name: role, Role: role}
		if err := svc.CreateUser(ctx, u, goodPassword); err != nil {
			t.Fatal(err)
		}
		if role == portico.RoleOwner {
			e.owner = app.Actor{UserID: u.ID, Email: u.Email, Role: role}
		}
	}
	return e
}

// allSections is an access list naming every section.
var allSections = append([]portico.Section(nil), portico.Sections...)

// brand configures a portal domain; edit adjusts the defaults first.
func (e *env) brand(host, name string, edit func(*portico.Domain)) *portico.Domain {
	e.t.Helper()
	d := &portico.Domain{Domain: host, BrandName: name, Access: allSections, Currencies: []string{"USD", "EUR"},
		SignupCreditLimit: 25 * portico.MoneyScale}
	if edit != nil {
		edit(d)
	}
	if err := e.svc.CreateDomain(ctx, e.owner, d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// account makes an active account on brand.
func (e *env) account(kind portico.AccountKind, name string, brand *portico.Domain, edit func(*portico.Account)) *portico.Account {
	e.t.Helper()
	a := &portico.Account{Kind: kind, Name: name, DomainID: &brand.ID, CreditLimit: 100 * portico.MoneyScale}
	if edit != nil {
		edit(a)
	}
	if err := e.svc.CreateAccount(ctx, e.owner, a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// contact makes a contact of acc with goodPassword.
func (e *env) contact(acc *portico.Account, email string, edit func(*portico.Contact)) *portico.Contact {
	e.t.Helper()
	c := &portico.Contact{AccountID: acc.ID, Name: "Ann Contact", Email: email}
	if edit != nil {
		edit(c)
	}
	if err := e.svc.CreateContact(ctx, e.owner, c, app.PasswordChoice{Password: goodPassword}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// emails returns the queued messages of kind to the address, oldest first.
func (e *env) emails(kind, to string) []*portico.Email {
	e.t.Helper()
	all, err := e.db.Read().FindEmails(ctx, portico.EmailFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*portico.Email
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Kind == kind && all[i].To == to {
			out = append(out, all[i])
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`http://[a-z0-9.-]+:8080/[a-z]+\?token=[A-Za-z0-9_-]+`)

// link returns the one single-use link in the last email of kind to the
// address.
func (e *env) link(kind, to string) *url.URL {
	e.t.Helper()
	mails := e.emails(kind, to)
	if len(mails) == 0 {
		e.t.Fatalf("no %s email to %s", kind, to)
	}
	u, err := url.Parse(linkRE.FindString(mails[len(mails)-1].Text))
	if err != nil || u.Host == "" {
		e.t.Fatalf("no link in %s email: %q", kind, mails[len(mails)-1].Text)
	}
	return u
}

// browser is one visitor with its own cookies, talking to one host. Go's
// resolver does not send *.localhost to loopback, so it dials the test
// server whatever the URL names, and the URL's host becomes Host.
type browser struct {
	t    *testing.T
	c    *http.Client
	host string
}

func (e *env) browser(host string) *browser {
	jar, _ := cookiejar.New(nil)
	addr := e.srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	e.t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: e.t, host: host, c: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// on returns the same browser (same cookie jar) visiting another host.
func (b *browser) on(host string) *browser { return &browser{t: b.t, c: b.c, host: host} }

// page is a response as a user would see it.
type page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, "http://"+b.host+":8080"+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
}

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil) }
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.do("POST", path, form)
}

// login posts the login form and fails the test unless it succeeds.
func (b *browser) login(email, password string) page {
	b.t.Helper()
	p := b.post("/login", url.Values{"email": {email}, "password": {password}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("login as %s on %s: status %d, want 303\n%s", email, b.host, p.Status, p.Body)
	}
	return p
}

// cookie returns the session cookie the browser holds for its host.
func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse("http://" + b.host + ":8080/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "portico_session" {
			return c
		}
	}
	return nil
}

// want fails the test unless p has the status.
func (p page) want(t *testing.T, status int, what string) page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\nLocation: %s\n%s", what, p.Status, status, p.Location, p.Body)
	}
	return p
}

// redirect fails the test unless p is a 303 to location.
func (p page) redirect(t *testing.T, location, what string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Location != location {
		t.Fatalf("%s: got %d to %q, want 303 to %q", what, p.Status, p.Location, location)
	}
}

func (p page) has(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("page lacks %q:\n%s", s, p.Body)
		}
	}
}

func (p page) lacks(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.Body, s) {
			t.Errorf("page shows %q, which it must not:\n%s", s, p.Body)
		}
	}
}

// audited reports whether the audit log holds an entry with the action
// and outcome.
func (e *env) audited(action, outcome string) bool {
	e.t.Helper()
	entries, err := e.db.Read().FindAuditEntries(ctx, 0, 500)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range entries {
		if a.Action == action && a.Outcome == outcome {
			return true
		}
	}
	return false
}
