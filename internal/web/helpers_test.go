package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/app/apptest"
	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/web"
	"portico/internal/web/api"
	"portico/internal/web/httpx"
	"portico/internal/web/panel"
	"portico/internal/web/portal"
)

var ctx = context.Background()

const (
	panelHost   = "panel.localhost"
	acmeHost    = "acme.localhost"
	password    = "correct horse battery staple"
	badPassword = "not the password at all"
)

// world is the whole product (panel, API and portals behind the one
// router) on a fresh database, with two customer accounts on one brand, a
// carrier, and operator users of every role.
type world struct {
	t        *testing.T
	db       *store.DB
	svc      *app.Service
	srv      *httptest.Server
	panel    http.Handler
	api      http.Handler
	portal   *portal.Handler
	clock    *clock
	owner    app.Actor
	admin    app.Actor
	support  app.Actor
	ownerAPI string // API tokens
	suppAPI  string
	brand    *portico.Domain
	accA     *portico.Account // Globex: ann
	accB     *portico.Account // Initech: bob
	carrier  *portico.Account
	ann, bob *portico.Contact
	cara     *portico.Contact // of the carrier
}

// clock is the database's time, moved by the test while the server runs.
type clock struct{ at atomic.Int64 }

func (c *clock) advance(d time.Duration) { c.at.Add(int64(d)) }

type worldOptions struct {
	trustedProxies []string
}

func newWorld(t *testing.T, db *store.DB, opts ...worldOptions) *world {
	t.Helper()
	w := &world{t: t, db: db, clock: &clock{}}
	w.clock.at.Store(time.Now().UTC().UnixNano())
	db.Now = func() time.Time { return time.Unix(0, w.clock.at.Load()).UTC() }
	w.svc = apptest.NewService(t, db)
	w.svc.Links.PanelHost = panelHost
	log := slog.New(slog.DiscardHandler)
	w.panel, w.api, w.portal = panel.New(w.svc, log), api.New(w.svc, log), portal.New(w.svc, log)
	var proxies []netip.Prefix
	if len(opts) > 0 {
		var err error
		if proxies, err = httpx.ParseTrustedProxies(opts[0].trustedProxies); err != nil {
			t.Fatal(err)
		}
	}
	w.srv = w.server(proxies)

	for _, role := range []string{portico.RoleOwner, portico.RoleAdmin, portico.RoleSupport} {
		u := &portico.User{Email: role + "@operator.example", Name: "Olive " + role, Role: role}
		if err := w.svc.CreateUser(ctx, u, password); err != nil {
			t.Fatal(err)
		}
		a := app.Actor{UserID: u.ID, Email: u.Email, Role: role, IP: "127.0.0.1"}
		switch role {
		case portico.RoleOwner:
			w.owner = a
		case portico.RoleAdmin:
			w.admin = a
		case portico.RoleSupport:
			w.support = a
		}
	}
	var err error
	if w.ownerAPI, err = w.svc.CreateAPIToken(ctx, w.owner.Email, "test"); err != nil {
		t.Fatal(err)
	}
	if w.suppAPI, err = w.svc.CreateAPIToken(ctx, w.support.Email, "test"); err != nil {
		t.Fatal(err)
	}
	w.brand = &portico.Domain{Domain: acmeHost, BrandName: "Acme Voice", Access: append([]portico.Section(nil), portico.Sections...),
		Currencies: []string{"USD"}, CustomerSignup: true, CarrierSignup: true}
	if err := w.svc.CreateDomain(ctx, w.owner, w.brand); err != nil {
		t.Fatal(err)
	}
	w.accA = w.account(portico.KindCustomer, "Globex")
	w.accB = w.account(portico.KindCustomer, "Initech")
	w.carrier = w.account(portico.KindCarrier, "Carrier Co")
	w.ann = w.contact(w.accA, "ann@globex.example")
	w.bob = w.contact(w.accB, "bob@initech.example")
	w.cara = w.contact(w.carrier, "cara@carrier.example")
	return w
}

// server serves the world's panel, API and portal behind the router, with
// the given trusted proxies.
func (w *world) server(proxies []netip.Prefix) *httptest.Server {
	srv := httptest.NewServer(web.NewHandler(web.Routes{PanelHosts: []string{panelHost}, Panel: w.panel, API: w.api,
		Portal: w.portal, Health: w.db.Ping, TrustedProxies: proxies}))
	w.t.Cleanup(srv.Close)
	return srv
}

func (w *world) account(kind portico.AccountKind, name string) *portico.Account {
	w.t.Helper()
	a := &portico.Account{Kind: kind, Name: name, DomainID: &w.brand.ID, CreditLimit: 10 * portico.MoneyScale}
	if err := w.svc.CreateAccount(ctx, w.owner, a); err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *world) contact(acc *portico.Account, email string) *portico.Contact {
	w.t.Helper()
	c := &portico.Contact{AccountID: acc.ID, Name: "Contact " + strings.Split(email, "@")[0], Email: email}
	if err := w.svc.CreateContact(ctx, w.owner, c, app.PasswordChoice{Password: password}); err != nil {
		w.t.Fatal(err)
	}
	return c
}

// browser is one visitor with its own cookies. It dials the test server
// whatever host a URL names (Go's resolver does not send *.localhost to
// loopback) and does not follow redirects.
type browser struct {
	t      *testing.T
	c      *http.Client
	host   string
	header http.Header // sent with every request
}

func (w *world) browser(host string) *browser { return w.browserTo(w.srv, host) }

// browserTo is a browser talking to another server over the same world
// (e.g. one with other router settings).
func (w *world) browserTo(srv *httptest.Server, host string) *browser {
	jar, _ := cookiejar.New(nil)
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	w.t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: w.t, host: host, header: http.Header{}, c: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// on returns a browser sharing this one's cookies, on another host.
func (b *browser) on(host string) *browser {
	return &browser{t: b.t, c: b.c, host: host, header: b.header}
}

type page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func (b *browser) do(method, path string, body io.Reader, contentType string) page {
	b.t.Helper()
	req, err := http.NewRequest(method, "http://"+b.host+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
}

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil, "") }

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

func (p page) want(t *testing.T, status int, what string) page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\nLocation: %s\n%s", what, p.Status, status, p.Location, p.Body)
	}
	return p
}

func (p page) redirect(t *testing.T, prefix, what string) page {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, prefix) {
		t.Fatalf("%s: got %d to %q, want 303 to %q…\n%s", what, p.Status, p.Location, prefix, p.Body)
	}
	return p
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
			t.Errorf("page shows %q, which it must not", s)
		}
	}
}

// operator logs into the panel as the user with email.
func (w *world) operator(email string) *browser {
	w.t.Helper()
	b := w.browser(panelHost)
	b.post("/login", url.Values{"email": {email}, "password": {password}}).redirect(w.t, "/", "operator login "+email)
	return b
}

// contactBrowser logs into the brand's portal as the contact.
func (w *world) contactBrowser(c *portico.Contact) *browser {
	w.t.Helper()
	b := w.browser(acmeHost)
	b.post("/login", url.Values{"email": {c.Email}, "password": {password}}).redirect(w.t, "/", "portal login "+c.Email)
	return b
}

// sessionIDs returns the ids of a contact's live sessions, newest first.
func (w *world) sessionIDs(c *portico.Contact) []int64 {
	w.t.Helper()
	list, err := w.db.Read().FindContactSessionsByID(ctx, c.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	var ids []int64
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

// audited returns the audit entries with action, newest first.
func (w *world) audited(action string) []store.AuditEntry {
	w.t.Helper()
	es, err := w.db.Read().FilterAuditEntries(ctx, store.AuditFilter{Action: action, Limit: 500})
	if err != nil {
		w.t.Fatal(err)
	}
	return es
}

var secretRE = regexp.MustCompile(`Key: <code>([A-Z2-7]+)</code>`)

// totpSecret reads the authenticator key a security page shows.
func totpSecret(t *testing.T, p page) string {
	t.Helper()
	m := secretRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no authenticator key on the page:\n%s", p.Body)
	}
	return m[1]
}

var codeRE = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)

// recoveryCodes reads the recovery codes a page shows.
func recoveryCodes(p page) []string {
	var out []string
	for _, m := range codeRE.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// code is the authenticator code for secret at the database's time.
func (w *world) code(secret string) string {
	return auth.TOTPCode(secret, time.Unix(0, w.clock.at.Load()))
}
