// Package web routes requests by host: control-panel hosts get the panel
// and the JSON API, every other host gets the portal of the brand it names.
// /healthz answers on any host.
package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// Routes are the surfaces the router dispatches to.
type Routes struct {
	PanelHosts []string // normalised host names that serve the panel
	Panel      http.Handler
	API        http.Handler // mounted at /api/v1/ on panel hosts
	Portal     http.Handler // every other host
	// Health reports whether the database answers.
	Health func(ctx context.Context) error
	// TLS is set when HTTPS is on: plain-HTTP requests go to it first.
	TLS TLSRoutes
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (--trusted-proxy); empty: none.
	TrustedProxies []netip.Prefix
}

// TLSRoutes is what HTTPS needs from plain HTTP; *certs.Manager is one.
type TLSRoutes interface {
	// HandleHTTPChallenge answers an ACME HTTP-01 challenge, for any host,
	// and reports whether the request was one.
	HandleHTTPChallenge(w http.ResponseWriter, r *http.Request) bool
	// HTTPSRedirect returns the HTTPS URL for a host that has a
	// certificate, or "" to serve the request over HTTP as it is.
	HTTPSRedirect(r *http.Request) string
}

// NewHandler returns the one handler behind every listener.
func NewHandler(rt Routes) http.Handler {
	panelHosts := make(map[string]bool, len(rt.PanelHosts))
	for _, h := range rt.PanelHosts {
		panelHosts[PanelHostKey(h)] = true
	}
	panel := http.NewServeMux()
	panel.Handle("/api/v1/", rt.API)
	panel.Handle("/", rt.Panel)
	// Browsers send Origin/Sec-Fetch-Site, which this checks against Host;
	// scripted clients and API calls send neither and pass. So brand domains
	// need no configuration and forms need no hidden tokens.
	csrf := http.NewCrossOriginProtection()
	panelH := csrf.Handler(panel)
	portalH := csrf.Handler(rt.Portal)
	return httpx.TrustedProxies(rt.TrustedProxies, httpx.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.TLS != nil && r.TLS == nil {
			// Challenges come before anything else, redirects included:
			// the CA asks over plain HTTP on port 80 and must get the token.
			if rt.TLS.HandleHTTPChallenge(w, r) {
				return
			}
			// Behind a TLS-terminating trusted proxy the request already
			// came over HTTPS; redirecting it would loop.
			if r.URL.Path != "/healthz" && !httpx.IsHTTPS(r) {
				if u := rt.TLS.HTTPSRedirect(r); u != "" {
					http.Redirect(w, r, u, http.StatusPermanentRedirect)
					return
				}
			}
		}
		if r.URL.Path == "/healthz" {
			health(w, r, rt.Health)
			return
		}
		if panelHosts[PanelHostKey(r.Host)] {
			panelH.ServeHTTP(w, r)
			return
		}
		portalH.ServeHTTP(w, r)
	})))
}

func health(w http.ResponseWriter, r *http.Request, check func(context.Context) error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := check(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// PanelHostKey is the form in which panel hosts are compared: a normalised
// DNS name, or for an IP literal (an operator may reach the panel by
// address) the bare address.
func PanelHostKey(h string) string {
	if n := portico.NormalizeHost(h); n != "" {
		return n
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(strings.Trim(h, "[]"))
}
