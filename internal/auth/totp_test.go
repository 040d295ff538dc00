package auth

import (
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 (the secret "12345678901234567890"), six
// digits: codes at the published times, one step of skew either way, and
// nothing further.
func TestTOTPMatchesRFC6238(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of 12345678901234567890
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		now := time.Unix(unix, 0)
		if got := TOTPCode(secret, now); got != want {
			t.Errorf("code at %d = %s, want %s", unix, got, want)
		}
		if step := CheckTOTP(secret, want, now); step != unix/30 {
			t.Errorf("CheckTOTP at %d = step %d, want %d", unix, step, unix/30)
		}
		if CheckTOTP(secret, want, now.Add(30*time.Second)) == 0 || CheckTOTP(secret, want, now.Add(-30*time.Second)) == 0 {
			t.Errorf("one step of skew refused at %d", unix)
		}
		if CheckTOTP(secret, want, now.Add(90*time.Second)) != 0 {
			t.Errorf("a code three steps old accepted at %d", unix)
		}
	}
	if CheckTOTP(secret, "28708", time.Unix(59, 0)) != 0 || CheckTOTP(secret, "28708a", time.Unix(59, 0)) != 0 {
		t.Error("a short or non-numeric code was accepted")
	}
	if CheckTOTP(secret, "287 082", time.Unix(59, 0)) == 0 {
		t.Error("a code typed with a space was refused")
	}
}

func TestKeysAndRecoveryCodes(t *testing.T) {
	k, err := NewTOTPKey("Acme Voice", "ann@globex.example")
	if err != nil || len(k.Secret) != 32 || !strings.HasPrefix(k.URL, "otpauth://totp/Acme%20Voice:ann@globex.example?") ||
		!strings.HasPrefix(k.QRDataURL, "data:image/png;base64,") {
		t.Fatalf("key %+v, %v", k, err)
	}
	again, err := TOTPKeyFor("Acme Voice", "ann@globex.example", k.Secret)
	if err != nil || again.Secret != k.Secret {
		t.Fatalf("rebuilt key %+v, %v", again, err)
	}
	codes, hashes := NewRecoveryCodes(10)
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 11 || c[5] != '-' || seen[c] || hashes[i] != HashRecoveryCode(strings.ToUpper(" "+c+" ")) || strings.Contains(hashes[i], c) {
			t.Fatalf("recovery code %q / %q", c, hashes[i])
		}
		seen[c] = true
	}
}
