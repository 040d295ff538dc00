package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
	"portico/internal/web/httpx"
)

// surface is one part of the product with its routes and host.
type surface struct {
	name  string
	host  string
	table []httpx.Route
}

func (w *world) surfaces() []surface {
	w.t.Helper()
	var out []surface
	for _, s := range []struct {
		name, host string
		h          any
	}{{"panel", panelHost, w.panel}, {"api", panelHost, w.api}, {"portal", acmeHost, w.portal}} {
		rl, ok := s.h.(httpx.RouteLister)
		if !ok {
			w.t.Fatalf("the %s does not list its routes (httpx.RouteLister)", s.name)
		}
		out = append(out, surface{s.name, s.host, rl.Routes()})
	}
	return out
}

// concrete turns a route pattern into a request path, naming rows that
// exist where it can: ids by the collection before them.
func (w *world) concrete(r httpx.Route, ids map[string]string) string {
	p := strings.ReplaceAll(r.Path(), "{$}", "")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		name := strings.Trim(s, "{}.")
		v := ids[name]
		if name == "id" && i > 0 {
			v = ids[segs[i-1]]
		}
		if v == "" {
			v = "1"
		}
		segs[i] = v
	}
	p = strings.Join(segs, "/")
	if strings.HasSuffix(p, "/") && p != "/" || p == "/" && r.Method() == "" {
		p += "no-such-thing"
	}
	if strings.HasPrefix(p, "/static/") {
		p = "/static/portal.css"
		if r.Path() == "/static/" && ids["surface"] == "panel" {
			p = "/static/panel.css"
		}
	}
	return p
}

func method(r httpx.Route) string {
	if m := r.Method(); m != "" {
		return m
	}
	return http.MethodGet
}

var securityHeaders = []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"}

func checkHeaders(t *testing.T, what string, p page) {
	t.Helper()
	for _, h := range securityHeaders {
		if p.Header.Get(h) == "" {
			t.Errorf("%s: no %s header", what, h)
		}
	}
	csp := p.Header.Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q allows inline script or framing", what, csp)
	}
}

// TestRouteTable walks every route of the panel, the API and the portal:
// each must declare a known policy, and behave as it says. Anonymous
// callers are sent to log in (pages) or get 401 (API); a read-only
// operator gets 403 on write routes and in elsewhere; a contact reaches
// contact routes. Every response carries the security headers, and every
// response to a logged-in caller is no-store.
func TestRouteTable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.contactBrowser(w.ann) // a session of ann's that {session} may end
		ids := map[string]string{
			"domains": itoa(w.brand.ID), "customers": itoa(w.accA.ID), "carriers": itoa(w.carrier.ID),
			"contacts": itoa(w.ann.ID), "session": itoa(w.sessionIDs(w.ann)[0]), "users": itoa(w.support.UserID),
		}
		support, admin := w.operator(w.support.Email), w.operator(w.admin.Email)
		seen := map[string]bool{}
		for _, s := range w.surfaces() {
			if len(s.table) < 5 {
				t.Fatalf("%s lists only %d routes", s.name, len(s.table))
			}
			ids["surface"] = s.name
			for _, r := range s.table {
				what := s.name + " " + r.Pattern
				if seen[s.name+r.Pattern] {
					t.Errorf("%s is registered twice", what)
				}
				seen[s.name+r.Pattern] = true
				if !r.Policy.Known() {
					t.Errorf("%s has no known policy (%q): declare who may call it", what, r.Policy)
					continue
				}
				path, m := w.concrete(r, ids), method(r)
				anon := w.browser(s.host)
				if r.Policy == httpx.APIRead || r.Policy == httpx.APIWrite {
					anon.header.Set("Content-Type", "application/json")
				}
				got := anon.do(m, path, nil, "")
				checkHeaders(t, "anonymous "+what, got)
				if got.Status >= 500 {
					t.Errorf("anonymous %s: %d", what, got.Status)
				}
				switch pol := r.Policy; {
				case pol == httpx.Public:
				case pol == httpx.APIRead || pol == httpx.APIWrite:
					if got.Status != http.StatusUnauthorized {
						t.Errorf("anonymous %s: %d, want 401", what, got.Status)
					}
					sup := w.browser(s.host)
					sup.header.Set("Authorization", "Bearer "+w.suppAPI)
					res := sup.do(m, path, strings.NewReader("{}"), "application/json")
					wantNoStore(t, "support token "+what, res)
					if pol == httpx.APIWrite && res.Status != http.StatusForbidden {
						t.Errorf("support token %s: %d, want 403", what, res.Status)
					}
					if pol == httpx.APIRead && (res.Status == http.StatusForbidden || res.Status == http.StatusUnauthorized) {
						t.Errorf("support token %s: %d, want it let through", what, res.Status)
					}
				case pol == httpx.Operator || pol == httpx.OperatorWrite:
					wantLoginWall(t, "anonymous "+what, m, got, "/login?next=")
					res := support.do(m, path, strings.NewReader(""), "application/x-www-form-urlencoded")
					checkHeaders(t, "support "+what, res)
					if res.Status < 300 || res.Status >= 400 {
						wantNoStore(t, "support "+what, res)
					}
					if pol == httpx.OperatorWrite && res.Status != http.StatusForbidden {
						t.Errorf("support %s: %d, want 403", what, res.Status)
					}
					if pol == httpx.Operator && (res.Status == http.StatusForbidden || res.Status == http.StatusUnauthorized ||
						strings.HasPrefix(res.Location, "/login")) {
						t.Errorf("support %s: %d %s, want it let through", what, res.Status, res.Location)
					}
				case pol == httpx.OperatorOwner:
					// Only owners manage users: admin and support are refused
					// whatever they send.
					wantLoginWall(t, "anonymous "+what, m, got, "/login?next=")
					for who, b := range map[string]*browser{"support": support, "admin": admin} {
						res := b.do(m, path, strings.NewReader(""), "application/x-www-form-urlencoded")
						checkHeaders(t, who+" "+what, res)
						wantNoStore(t, who+" "+what, res)
						if res.Status != http.StatusForbidden {
							t.Errorf("%s %s: %d, want 403", who, what, res.Status)
						}
					}
				case pol == httpx.Pending:
					wantLoginWall(t, "anonymous "+what, m, got, "/login")
					if got.Status != http.StatusSeeOther {
						t.Errorf("anonymous %s: %d, want 303 to the login page", what, got.Status)
					}
				case pol == httpx.Contact || pol.Section() != "":
					if got.Status != http.StatusSeeOther || got.Location != "/login" {
						t.Errorf("anonymous %s: %d to %q, want 303 to /login", what, got.Status, got.Location)
					}
					who := w.ann
					if pol.Section() == portico.SectionCarrierPortal {
						who = w.cara // the Carrier Portal is for carriers only
					}
					res := w.contactBrowser(who).do(m, path, strings.NewReader(""), "application/x-www-form-urlencoded")
					checkHeaders(t, "contact "+what, res)
					if res.Status == http.StatusForbidden || res.Status == http.StatusUnauthorized || res.Location == "/login" || res.Status >= 500 {
						t.Errorf("contact %s: %d to %q, want it let through", what, res.Status, res.Location)
					}
					if res.Status != http.StatusSeeOther {
						wantNoStore(t, "contact "+what, res)
					}
					if pol.Section() != "" && res.Status != http.StatusOK {
						t.Errorf("contact %s with every section visible: %d, want 200", what, res.Status)
					}
				}
			}
		}
	})
}

func wantLoginWall(t *testing.T, what, method string, p page, location string) {
	t.Helper()
	if method == http.MethodGet || method == http.MethodHead {
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, location) {
			t.Errorf("%s: %d to %q, want 303 to %s…", what, p.Status, p.Location, location)
		}
		return
	}
	if p.Status != http.StatusUnauthorized && !(p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location, "/login")) {
		t.Errorf("%s: %d, want 401 or a redirect to log in", what, p.Status)
	}
}

func wantNoStore(t *testing.T, what string, p page) {
	t.Helper()
	if !strings.Contains(p.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("%s: Cache-Control %q on an authenticated response, want no-store", what, p.Header.Get("Cache-Control"))
	}
}

// TestTwoAccountSweep logs in as a contact of account A and, for every
// portal route that takes an id (a {wildcard}) or a cursor, sends account
// B's: each must answer 404, and the same route with A's own must not (so
// the 404 is the scoping, not a broken route). A route taking an id this
// test has no fixture for fails it: add B's row here.
func TestTwoAccountSweep(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		bobBrowser := w.contactBrowser(w.bob)
		bobBrowser.get("/").want(t, http.StatusOK, "bob's dashboard")
		annEntries, _ := db.Read().ForAccount(w.accA.ID).AuditEntries(ctx, 0, 1)
		bobEntries, _ := db.Read().ForAccount(w.accB.ID).AuditEntries(ctx, 0, 1)
		if len(annEntries) == 0 || len(bobEntries) == 0 {
			t.Fatal("no audit entries to page from")
		}
		// Calls and payments (with their ledger entries) of both accounts,
		// for the data sections' cursors.
		rows := map[int64]struct{ call, entry, payment string }{}
		for _, acc := range []*portico.Account{w.accA, w.accB} {
			charge := portico.Money(1500)
			call := portico.CDR{Switch: "sweep", CallID: "sweep-" + itoa(acc.ID), StartTime: time.Now().UTC().Add(-time.Hour),
				SourceNumber: "1", DestinationNumber: "442071234567", Duration: 30, CustomerID: acc.ID, Charge: &charge}
			if _, err := w.svc.IngestCDRs(ctx, w.owner, []portico.CDR{call}, "sweep"); err != nil {
				t.Fatal(err)
			}
			p := &portico.Payment{AccountID: acc.ID, Amount: 5 * portico.MoneyScale}
			if _, err := w.svc.CreatePayment(ctx, w.owner, p, ""); err != nil {
				t.Fatal(err)
			}
			aq := db.Read().ForAccount(acc.ID)
			calls, err1 := aq.CDRPage(ctx, store.PortalCDRFilter{Limit: 1})
			entries, err2 := aq.Ledger(ctx, 0, 1)
			if err1 != nil || err2 != nil || len(calls) == 0 || len(entries) == 0 {
				t.Fatal("no call or ledger entry to page from", err1, err2)
			}
			rows[acc.ID] = struct{ call, entry, payment string }{itoa(calls[0].ID), itoa(entries[0].ID), itoa(p.ID)}
		}
		// Each kind of id: account B's row, and a fresh one of A's.
		type fixture struct{ other, own func() string }
		fixtures := map[string]fixture{
			"session": {other: func() string { return itoa(w.sessionIDs(w.bob)[0]) },
				own: func() string { w.contactBrowser(w.ann); return itoa(w.sessionIDs(w.ann)[0]) }},
			"before": {other: func() string { return itoa(bobEntries[0].ID) }, own: func() string { return itoa(annEntries[0].ID) }},
			"after":  {other: func() string { return rows[w.accB.ID].call }, own: func() string { return rows[w.accA.ID].call }},
			"ledger_before": {other: func() string { return rows[w.accB.ID].entry },
				own: func() string { return rows[w.accA.ID].entry }},
			"payments_before": {other: func() string { return rows[w.accB.ID].payment },
				own: func() string { return rows[w.accA.ID].payment }},
		}
		swept := 0
		for _, s := range w.surfaces() {
			if s.name != "portal" {
				continue
			}
			for _, r := range s.table {
				names := append(r.Wildcards(), r.Cursors...)
				if len(names) == 0 {
					continue
				}
				for _, pick := range []string{"other", "own"} {
					ann := w.contactBrowser(w.ann)
					path := r.Path()
					q := url.Values{}
					ok := true
					for _, n := range names {
						f, found := fixtures[n]
						if !found {
							t.Errorf("portal %s takes %q: add account B's %s to the two-account sweep", r.Pattern, n, n)
							ok = false
							break
						}
						v := f.other
						if pick == "own" {
							v = f.own
						}
						if strings.Contains(path, "{"+n+"}") {
							path = strings.ReplaceAll(path, "{"+n+"}", v())
						} else {
							q.Set(n, v())
						}
					}
					if !ok {
						break
					}
					if len(q) > 0 {
						path += "?" + q.Encode()
					}
					res := ann.do(method(r), path, strings.NewReader(""), "application/x-www-form-urlencoded")
					if pick == "other" && res.Status != http.StatusNotFound {
						t.Errorf("A's contact, %s %s (B's id): %d, want 404", method(r), path, res.Status)
					}
					if pick == "own" && res.Status == http.StatusNotFound {
						t.Errorf("A's contact, %s %s (A's own id): 404, so the sweep proves nothing", method(r), path)
					}
					swept++
				}
			}
		}
		if swept < 4 {
			t.Fatalf("only %d requests swept: the portal lost its id-taking routes?", swept)
		}
		// Bob's session survived everything A's contact tried.
		bobBrowser.get("/").want(t, http.StatusOK, "bob's session after the sweep")

		// Operators see every account, but a customer's routes never
		// serve a carrier and the other way round.
		owner := w.operator(w.owner.Email)
		api := w.browser(panelHost)
		api.header.Set("Authorization", "Bearer "+w.ownerAPI)
		for _, c := range []struct{ path string }{
			{fmt.Sprintf("/customers/%d", w.carrier.ID)}, {fmt.Sprintf("/carriers/%d", w.accA.ID)},
			{fmt.Sprintf("/customers/%d/security", w.carrier.ID)},
		} {
			owner.get(c.path).want(t, http.StatusNotFound, "panel "+c.path)
			api.get("/api/v1"+c.path).want(t, http.StatusNotFound, "API "+c.path)
		}
	})
}

// TestAccessSweep hides each section from account A in turn: every route
// of that section (pages, exports) answers 404 and leaves the navigation,
// while account B, which may still see it, gets it; shown again, it is back.
func TestAccessSweep(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		sectionRoutes := map[portico.Section][]httpx.Route{}
		for _, s := range w.surfaces() {
			for _, r := range s.table {
				if sec := r.Policy.Section(); sec != "" {
					sectionRoutes[sec] = append(sectionRoutes[sec], r)
				}
			}
		}
		if len(sectionRoutes) < 5 {
			t.Fatalf("only %d sections have routes", len(sectionRoutes))
		}
		ann, bob := w.contactBrowser(w.ann), w.contactBrowser(w.bob)
		// The Carrier Portal is for carriers: sweep it with a carrier.
		cara := w.contactBrowser(w.cara)
		for sec, routes := range sectionRoutes {
			acc, who, other := w.accA, ann, bob
			if sec == portico.SectionCarrierPortal {
				acc, who, other = w.carrier, cara, nil
			}
			for _, show := range []bool{false, true} {
				acc.AccessOverrides = map[portico.Section]bool{sec: show}
				if err := w.svc.UpdateAccount(ctx, w.owner, acc); err != nil {
					t.Fatal(err)
				}
				for _, r := range routes {
					path := r.Path()
					got := who.do(method(r), path, nil, "")
					if !show && got.Status != http.StatusNotFound {
						t.Errorf("%s hidden: %s = %d, want 404", sec, r.Pattern, got.Status)
					}
					if show && got.Status != http.StatusOK {
						t.Errorf("%s shown: %s = %d, want 200", sec, r.Pattern, got.Status)
					}
					if other != nil {
						other.do(method(r), path, nil, "").want(t, http.StatusOK, "account B, which may see "+string(sec))
					}
				}
				dash := who.get("/").want(t, http.StatusOK, "dashboard")
				link := `href="` + routes[0].Path() + `"`
				if strings.Contains(dash.Body, link) == !show {
					t.Errorf("%s shown=%v: navigation link present=%v", sec, show, !show)
				}
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
