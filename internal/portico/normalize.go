package portico

import (
	"net"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// NormalizeEmail trims, NFC-normalises and lower-cases an email address, the
// one form in which logins are stored and compared (SQLite's NOCASE folds only
// ASCII, so folding is done here, in Go).
func NormalizeEmail(s string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(s)))
}

// ValidateEmail reports what is wrong with an already normalised address, or "".
func ValidateEmail(s string) string {
	switch {
	case s == "":
		return "Email is required."
	case len(s) > 254:
		return "Email must be at most 254 characters."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "Email must be a plain address like name@example.com."
	}
	_, host, _ := strings.Cut(s, "@")
	if !strings.Contains(host, ".") && host != "localhost" {
		return "Email must be a plain address like name@example.com."
	}
	return ""
}

var hostProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))

// NormalizeHost turns a Host header or a typed domain into the one form used
// for lookups: port and trailing dot dropped, lower case, IDNA to punycode.
// It returns "" for anything that is not a valid DNS name (including IP
// literals, which never name a brand).
func NormalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if !utf8.ValidString(h) || strings.ContainsAny(h, "/@?# \t") {
		return "" // a URL or something else, never a bare host
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || strings.HasPrefix(h, "[") || net.ParseIP(h) != nil {
		return ""
	}
	a, err := hostProfile.ToASCII(h)
	if err != nil || len(a) > 253 {
		return ""
	}
	a = strings.ToLower(a)
	// Punycode that does not decode to a valid name ("xn--zn7c" is U+FFFD)
	// is refused, so the normal form is stable: normalising it again
	// gives it back.
	if b, err := hostProfile.ToASCII(a); err != nil || b != a {
		return ""
	}
	for _, label := range strings.Split(a, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return ""
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return ""
			}
		}
	}
	return a
}
