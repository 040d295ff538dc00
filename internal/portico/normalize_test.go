package portico

import "testing"

func TestNormalizeHost(t *testing.T) {
	cases := map[string]string{
		"Portal.Example.COM":     "portal.example.com",
		"portal.example.com:443": "portal.example.com",
		"portal.example.com.":    "portal.example.com",
		"acme.localhost:8080":    "acme.localhost",
		"bücher.example":         "xn--bcher-kva.example",
		"XN--BCHER-KVA.example":  "xn--bcher-kva.example",
		"127.0.0.1":              "",
		"127.0.0.1:8080":         "",
		"[::1]:8080":             "",
		"":                       "",
		"bad_host.example":       "",
		"-lead.example":          "",
		"a..b":                   "",
		"https://x.example/":     "",
		"user@x.example":         "",
	}
	for in, want := range cases {
		if got := NormalizeHost(in); got != want {
			t.Errorf("NormalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := NormalizeEmail("  Ünïcode@Example.COM "); got != "ünïcode@example.com" {
		t.Errorf("got %q", got)
	}
	for _, bad := range []string{"", "no-at", "a@b", "Name <a@b.com>", "a b@c.com"} {
		if ValidateEmail(NormalizeEmail(bad)) == "" {
			t.Errorf("ValidateEmail(%q) accepted", bad)
		}
	}
	if msg := ValidateEmail("ops@acme.example"); msg != "" {
		t.Errorf("valid email refused: %s", msg)
	}
}
