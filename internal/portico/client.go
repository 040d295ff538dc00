package portico

import (
	"context"
	"net/netip"
	"strings"
)

// Client is who is on the other end of a request: the address taken from
// the socket (or from a trusted proxy's header) and the User-Agent it
// sent. The web layer puts it in the request's context once; the audit log
// reads it from there, so no use case has to thread it through.
type Client struct {
	IP        string
	UserAgent string
}

type clientKey struct{}

// WithClient returns ctx carrying c.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the client of ctx, or the zero Client outside a request.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// NormalizeAllowlist puts typed IP allowlist entries into their stored
// form: blank entries dropped, a bare address made a one-address prefix,
// prefixes masked. Entries that do not parse are kept as typed, for
// ValidateAllowlist to report.
func NormalizeAllowlist(entries []string) []string {
	var out []string
	for _, s := range entries {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			s = p.Masked().String()
		} else if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
			s = netip.PrefixFrom(a, a.BitLen()).String()
		}
		out = append(out, s)
	}
	return out
}

// ValidateAllowlist reports the first problem with a normalised allowlist,
// or "".
func ValidateAllowlist(entries []string) string {
	for _, s := range entries {
		if _, err := netip.ParsePrefix(s); err != nil {
			return "IP allowlist entry " + quote(s) + " is not an IP address or CIDR like 203.0.113.0/24."
		}
	}
	if len(entries) > 100 {
		return "IP allowlist holds at most 100 entries."
	}
	return ""
}

// AllowlistAllows reports whether ip (as text) is inside one of the
// allowlist's prefixes. An empty allowlist allows every address; an
// address that does not parse is refused by a non-empty one.
func AllowlistAllows(entries []string, ip string) bool {
	if len(entries) == 0 {
		return true
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, s := range entries {
		if p, err := netip.ParsePrefix(s); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}
