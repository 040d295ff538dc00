package web_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
	"portico/internal/web"
)

// Every response carries the security headers, errors included: unknown
// hosts, 404s, 405s, 401s, 429s, health checks, static files.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for i := 0; i < 6; i++ {
			w.browser(acmeHost).post("/login", url.Values{"email": {"x@y.example"}, "password": {badPassword}})
		}
		cases := []struct {
			host, method, path string
			status             int
		}{
			{"nobody.example", "GET", "/", http.StatusNotFound},
			{acmeHost, "GET", "/no-such-page", http.StatusNotFound},
			{acmeHost, "GET", "/static/portal.css", http.StatusOK},
			{acmeHost, "DELETE", "/login", http.StatusNotFound},
			{acmeHost, "GET", "/reset?token=forged", http.StatusNotFound},
			{panelHost, "GET", "/setup?token=forged", http.StatusNotFound},
			{acmeHost, "POST", "/login", http.StatusTooManyRequests},
			{acmeHost, "GET", "/healthz", http.StatusOK},
			{panelHost, "GET", "/api/v1/customers", http.StatusUnauthorized},
			{panelHost, "GET", "/no-such-page", http.StatusNotFound},
			{panelHost, "GET", "/login", http.StatusOK},
		}
		for _, c := range cases {
			b := w.browser(c.host)
			var p page
			if c.method == "POST" {
				p = b.post(c.path, url.Values{"email": {"x@y.example"}, "password": {badPassword}})
			} else {
				p = b.do(c.method, c.path, nil, "")
			}
			what := c.method + " " + c.host + c.path
			if p.Status != c.status {
				t.Errorf("%s: %d, want %d", what, p.Status, c.status)
			}
			checkHeaders(t, what, p)
			if p.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS over plain HTTP", what)
			}
		}
	})
}

var inlineScript = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+\s*=|javascript:`)

// No page has inline script or event handler attributes, so the CSP's
// script-src 'self' costs nothing and no stored payload could run.
func TestNoInlineScriptInPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		owner := w.operator(w.owner.Email)
		ann := w.contactBrowser(w.ann)
		pages := map[*browser][]string{
			owner: {"/", "/domains", "/customers", "/customers/" + itoa(w.accA.ID), "/contacts/" + itoa(w.ann.ID),
				"/contacts/" + itoa(w.ann.ID) + "/security", "/audit", "/security", "/emails", "/pending", "/login"},
			ann: {"/", "/profile", "/security", "/sessions", "/activity", "/balance", "/cdr", "/login", "/signup"},
		}
		for b, paths := range pages {
			for _, path := range paths {
				p := b.get(path)
				if loc := inlineScript.FindString(p.Body); loc != "" {
					t.Errorf("%s%s has inline script: %q", b.host, path, loc)
				}
			}
		}
	})
}

// HSTS and Secure cookies come with HTTPS: on a TLS socket, or from a
// trusted proxy that says the client used HTTPS. From anyone else the
// X-Forwarded-Proto header changes nothing.
func TestHTTPSHeadersAndCookies(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, worldOptions{trustedProxies: []string{"127.0.0.1/32"}})
		login := url.Values{"email": {w.ann.Email}, "password": {password}}

		b := w.browser(acmeHost)
		b.header.Set("X-Forwarded-Proto", "https")
		p := b.post("/login", login).redirect(t, "/", "login through the trusted proxy")
		if p.Header.Get("Strict-Transport-Security") == "" || !strings.Contains(p.Header.Get("Set-Cookie"), "Secure") {
			t.Errorf("HTTPS at the trusted proxy: HSTS %q, cookie %q", p.Header.Get("Strict-Transport-Security"), p.Header.Get("Set-Cookie"))
		}

		// Without the proxy configured the same header is just a header.
		b2 := w.browserTo(w.server(nil), acmeHost)
		b2.header.Set("X-Forwarded-Proto", "https")
		p = b2.post("/login", login).redirect(t, "/", "login")
		if p.Header.Get("Strict-Transport-Security") != "" || strings.Contains(p.Header.Get("Set-Cookie"), "Secure") {
			t.Errorf("untrusted X-Forwarded-Proto was believed")
		}

		// A real TLS socket.
		tlsSrv := httptest.NewUnstartedServer(web.NewHandler(web.Routes{PanelHosts: []string{panelHost}, Panel: w.panel,
			API: w.api, Portal: w.portal, Health: db.Ping}))
		tlsSrv.StartTLS()
		defer tlsSrv.Close()
		client := tlsSrv.Client()
		client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		req, _ := http.NewRequest("POST", tlsSrv.URL+"/login", strings.NewReader(login.Encode()))
		req.Host = acmeHost
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("Strict-Transport-Security") == "" || !strings.Contains(res.Header.Get("Set-Cookie"), "Secure") ||
			!strings.Contains(res.Header.Get("Set-Cookie"), "HttpOnly") || !strings.Contains(res.Header.Get("Set-Cookie"), "SameSite=Lax") {
			t.Errorf("over TLS: HSTS %q, cookie %q", res.Header.Get("Strict-Transport-Security"), res.Header.Get("Set-Cookie"))
		}
	})
}

// The client address is the socket's peer unless that peer is a trusted
// proxy; then it is the nearest untrusted address of X-Forwarded-For. The
// audit log and IP allowlists see that address.
func TestTrustedProxyClientAddress(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, worldOptions{trustedProxies: []string{"127.0.0.1/32", "10.0.0.0/8"}})
		w.ann.IPAllowlist = []string{"203.0.113.0/24"}
		if err := w.svc.UpdateContact(ctx, w.owner, w.ann); err != nil {
			t.Fatal(err)
		}
		login := url.Values{"email": {w.ann.Email}, "password": {password}}
		for xff, want := range map[string]int{
			"203.0.113.9":                         http.StatusSeeOther,     // the client, one trusted hop
			"198.51.100.1, 203.0.113.9":           http.StatusSeeOther,     // the left entry is the client's to forge
			"203.0.113.9, 10.1.2.3":               http.StatusSeeOther,     // two trusted hops
			"203.0.113.9, 198.51.100.1":           http.StatusUnauthorized, // nearest untrusted is not allowed
			"":                                    http.StatusUnauthorized, // the proxy itself
			"203.0.113.9, not-an-address":         http.StatusUnauthorized,
			"203.0.113.9, 198.51.100.1, 10.0.0.1": http.StatusUnauthorized,
		} {
			b := w.browser(acmeHost)
			if xff != "" {
				b.header.Set("X-Forwarded-For", xff)
			}
			if got := b.post("/login", login).Status; got != want {
				t.Errorf("X-Forwarded-For %q: login %d, want %d", xff, got, want)
			}
		}
		for _, e := range w.audited("contact.login") {
			if e.Outcome == "ok" && e.IP != "203.0.113.9" {
				t.Errorf("audit log IP of a login = %q, want the forwarded client", e.IP)
			}
		}

		// From a peer that is not a trusted proxy, the header is ignored.
		b := w.browserTo(w.server(nil), acmeHost)
		b.header.Set("X-Forwarded-For", "203.0.113.9")
		b.post("/login", login).want(t, http.StatusUnauthorized, "forged X-Forwarded-For")
	})
}

// A form posted from another site (a CSRF attempt) is refused, on the
// portal and the panel, even with a live session cookie.
func TestCrossOriginPostsRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ann := w.contactBrowser(w.ann)
		ann.header.Set("Origin", "http://evil.example")
		ann.header.Set("Sec-Fetch-Site", "cross-site")
		ann.post("/profile", url.Values{"name": {"Pwned"}, "time_zone": {"UTC"}, "language": {"en"}}).want(t, http.StatusForbidden, "cross-site profile post")
		ann.post("/sessions/end-others", nil).want(t, http.StatusForbidden, "cross-site session end")
		op := w.operator(w.owner.Email)
		op.header.Set("Origin", "http://evil.example")
		op.header.Set("Sec-Fetch-Site", "cross-site")
		op.post(fmt.Sprintf("/contacts/%d/sessions/end", w.ann.ID), nil).want(t, http.StatusForbidden, "cross-site panel post")
		if c, _ := db.Read().FindContactByID(ctx, w.ann.ID); c.Name == "Pwned" {
			t.Fatal("a cross-site post changed the profile")
		}
		ann.header.Del("Origin")
		ann.header.Set("Sec-Fetch-Site", "same-origin")
		ann.get("/").want(t, http.StatusOK, "ann's session is intact")
	})
}
