package httpx

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	"portico/internal/portico"
)

// WithClient puts the request's client (address and user agent) into its
// context, where the audit log and allowlist checks find it.
func WithClient(r *http.Request) *http.Request {
	c := portico.Client{IP: ClientIP(r), UserAgent: r.UserAgent()}
	return r.WithContext(portico.WithClient(r.Context(), c))
}

type httpsKey struct{}

// IsHTTPS reports whether the client's connection is HTTPS: TLS on this
// socket, or a trusted proxy said so in X-Forwarded-Proto. Cookies get
// Secure and responses HSTS on HTTPS.
func IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	on, _ := r.Context().Value(httpsKey{}).(bool)
	return on
}

// ParseTrustedProxies parses a list of CIDRs or addresses (the
// --trusted-proxy flag).
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, &portico.Error{Code: portico.EINVALID, Message: "trusted proxy " + `"` + s + `"` + " is not an IP address or CIDR like 10.0.0.0/8"}
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func trusted(proxies []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ForwardedClient returns the client address a chain of trusted proxies
// reports: walking X-Forwarded-For from the right (the hop nearest to us),
// the first address that is not a trusted proxy. ok is false when the
// header holds nothing usable (then the peer itself is the client).
func ForwardedClient(proxies []netip.Prefix, xff []string) (netip.Addr, bool) {
	var hops []string
	for _, h := range xff {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil || a.Zone() != "" {
			return netip.Addr{}, false // a forged or broken hop: trust nothing beyond it
		}
		a = a.Unmap()
		if !trusted(proxies, a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// TrustedProxies makes requests that arrive from one of proxies carry the
// client address their X-Forwarded-For names (and HTTPS when
// X-Forwarded-Proto says so). From any other peer both headers are
// ignored: anyone can send them, and they must not decide allowlists or
// throttling. With no proxies configured, it changes nothing.
func TrustedProxies(proxies []netip.Prefix, next http.Handler) http.Handler {
	if len(proxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err == nil && trusted(proxies, peer.Addr()) {
			r2 := r.Clone(r.Context())
			if a, ok := ForwardedClient(proxies, r.Header.Values("X-Forwarded-For")); ok {
				r2.RemoteAddr = netip.AddrPortFrom(a, 0).String()
			}
			if strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") {
				r2 = r2.WithContext(context.WithValue(r2.Context(), httpsKey{}, true))
			}
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}
