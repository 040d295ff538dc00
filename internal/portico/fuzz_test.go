package portico

import (
	"context"
	"math"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz tests of every parser that takes what people type. They run their
// seeds (hostile input) in every `go test`; CI fuzzes each briefly
// (see SECURITY.md, "Fuzzing").

// Emails: normalising is idempotent, and an address that validates never
// carries CR, LF, NUL or markup, so it is safe in mail headers and pages.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{"ann@example.com", " ANN@Example.COM ", "a@b\r\nBcc: x@evil.example",
		"\"<script>\"@x.example", "x@xn--bcher-kva.example", "ü@bücher.example", "a@b.c\x00", "' OR 1=1 --@x.example",
		"a@localhost", strings.Repeat("a", 300) + "@x.example", "@", "a@@b.example", "a@b.example.", "Ann <ann@x.example>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeEmail(s)
		if NormalizeEmail(n) != n {
			t.Fatalf("NormalizeEmail not idempotent: %q → %q → %q", s, n, NormalizeEmail(n))
		}
		if ValidateEmail(n) == "" {
			if strings.ContainsAny(n, "\r\n\x00<> \t") || !utf8.ValidString(n) || len(n) > 254 {
				t.Fatalf("ValidateEmail accepted %q", n)
			}
		}
	})
}

// Hosts: a normalised host is lower-case punycode letters, digits, dots and
// dashes, with no trailing dot or port, and normalising it again changes
// nothing. IP literals and URLs never name a brand.
func FuzzHost(f *testing.F) {
	for _, s := range []string{"Portal.Acme.example.", "portal.acme.example:8443", "bücher.example", "xn--bcher-kva.example",
		"127.0.0.1", "[::1]:80", "http://evil.example/", "a..b", "-a.example", "a.example\x00.evil", "ACME.EXAMPLE..",
		"a@b.example", strings.Repeat("a.", 200), "ｅｘａｍｐｌｅ.com", "<script>.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := NormalizeHost(s)
		if h == "" {
			return
		}
		if NormalizeHost(h) != h {
			t.Fatalf("NormalizeHost not idempotent: %q → %q → %q", s, h, NormalizeHost(h))
		}
		if strings.HasSuffix(h, ".") || len(h) > 253 {
			t.Fatalf("bad host %q from %q", h, s)
		}
		for _, c := range h {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				t.Fatalf("host %q from %q holds %q", h, s, c)
			}
		}
		if _, err := netip.ParseAddr(h); err == nil {
			t.Fatalf("an IP literal %q named a host", h)
		}
	})
}

// Money: only plain decimals parse (no NaN, Inf, exponents, or more than
// six decimals), and what parses prints back to the same value.
func FuzzMoney(f *testing.F) {
	for _, s := range []string{"50", "-3.5", "0.012345", "NaN", "-NaN", "Inf", "-Inf", "1e9", "0x10", "1,5",
		"9223372036854.775807", "-9223372036854775808", "1.0000001", "+.5", "-.", "٣", " 12 ", "1_000", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			return
		}
		ls := strings.ToLower(s)
		if strings.Contains(ls, "nan") || strings.Contains(ls, "inf") || strings.ContainsAny(ls, "ex_,") {
			t.Fatalf("ParseMoney(%q) = %v, want an error", s, m)
		}
		if int64(m) == math.MinInt64 {
			t.Fatalf("ParseMoney(%q) reached MinInt64", s)
		}
		back, err := ParseMoney(m.String())
		if err != nil || back != m {
			t.Fatalf("%q → %v → %q → %v, %v", s, int64(m), m.String(), int64(back), err)
		}
	})
}

// IP allowlists: whatever is typed, a list that validates holds only
// masked prefixes, and checking an address against it never panics; a
// malformed entry is reported, never silently widened to "allow all".
func FuzzAllowlist(f *testing.F) {
	for _, s := range []string{"203.0.113.0/24", "203.0.113.7", "::1", "fe80::1%eth0", "10.0.0.0/33", "10.0.0.0/-1",
		"0.0.0.0/0", "1.2.3.4/24\n\n5.6.7.8", "::ffff:1.2.3.4/120", "not an ip", "1.2.3.4/08", "\x00", "2001:db8::/129"} {
		f.Add(s, "203.0.113.9")
	}
	f.Fuzz(func(t *testing.T, list, ip string) {
		entries := NormalizeAllowlist(strings.Split(list, "\n"))
		if ValidateAllowlist(entries) != "" {
			return
		}
		for _, e := range entries {
			p, err := netip.ParsePrefix(e)
			if err != nil || p.Masked() != p {
				t.Fatalf("validated entry %q is not a masked prefix", e)
			}
		}
		if len(entries) > 0 && AllowlistAllows(entries, "") {
			t.Fatalf("a non-empty allowlist %v allowed an empty address", entries)
		}
		AllowlistAllows(entries, ip)
		c := &Contact{Name: "x", Email: "x@x.example", IPAllowlist: strings.Split(list, "\n")}
		c.Normalize()
		_ = c.Validate()
		_ = ClientFrom(WithClient(context.Background(), Client{IP: ip}))
	})
}
