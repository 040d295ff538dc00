package httpx

import (
	"net/netip"
	"strings"
	"testing"
)

// X-Forwarded-For is attacker-controlled: whatever it holds, the client
// address it yields is a real address that is not a trusted proxy, and a
// broken hop yields none (the peer stays the client).
func FuzzForwardedClient(f *testing.F) {
	for _, s := range []string{"203.0.113.9", "198.51.100.1, 203.0.113.9", "203.0.113.9, 10.1.2.3", "", ",,,",
		"not-an-ip", "203.0.113.9\r\nX-Evil: 1", "[::1]", "::ffff:10.0.0.1", "fe80::1%eth0", "1.2.3.4:80", "0.0.0.0, 10.0.0.1"} {
		f.Add(s, "10.0.0.0/8")
	}
	f.Add("203.0.113.9", "10.0.0.0/33")
	f.Add("203.0.113.9", "10.0.0.1, ::1, not-a-cidr")
	f.Fuzz(func(t *testing.T, xff, proxies string) {
		list, err := ParseTrustedProxies(strings.Split(proxies, ","))
		if err != nil {
			return
		}
		a, ok := ForwardedClient(list, []string{xff})
		if !ok {
			return
		}
		if !a.IsValid() || a.Zone() != "" || a.Is4In6() || trusted(list, a) {
			t.Fatalf("ForwardedClient(%q, %v) = %v", xff, list, a)
		}
		if _, err := netip.ParseAddr(a.String()); err != nil {
			t.Fatalf("client %v does not parse back", a)
		}
	})
}
