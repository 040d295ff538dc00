package auth

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Passwords: the policy and the hasher take anything (NUL bytes, invalid
// UTF-8, megabytes) without panicking; a password never verifies against a
// malformed stored hash; and hostile stored hashes cannot make Verify
// accept or crash.
func FuzzPassword(f *testing.F) {
	h := NewHasher(Params{Time: 1, Memory: 64, Threads: 1})
	good, _ := h.Hash(context.Background(), "correct horse battery")
	for _, s := range []string{"correct horse battery", "", "\x00\x00\x00\x00\x00\x00\x00\x00", "pass\x00word123",
		strings.Repeat("é", 200), "\xff\xfe\xfd invalid utf8", "' OR '1'='1", "<script>alert(1)</script>", strings.Repeat("a", 1<<16)} {
		f.Add(s, good)
		f.Add(s, "$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAA$AAAA")
		f.Add(s, "$argon2id$v=19$m=64,t=1,p=1$$")
	}
	f.Fuzz(func(t *testing.T, pw, encoded string) {
		_ = CheckPolicy("password", pw)
		// Refuse decoding work a hostile hash could demand (the store only
		// ever holds hashes made here, but Verify must not trust that).
		if p, _, _, err := decode(encoded); err == nil && (p.Memory > 1<<16 || p.Time > 4 || p.Threads > 4) {
			return
		}
		ok, _, err := h.Verify(context.Background(), encoded, pw)
		if err != nil {
			t.Fatal(err)
		}
		if ok && encoded != good {
			if _, _, _, err := decode(encoded); err != nil {
				t.Fatalf("a malformed hash %q verified", encoded)
			}
		}
		if ok && encoded == good && pw != "correct horse battery" {
			t.Fatalf("password %q matched another's hash", pw)
		}
	})
}

// Codes: CheckTOTP and the recovery-code hash take any typed text.
func FuzzCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456 ", "12345６", "abcde-fghij", "\x00\x00\x00\x00\x00\x00", "-------", "1234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		const secret = "JBSWY3DPEHPK3PXP"
		now := time.Unix(1_800_000_000, 0)
		if step := CheckTOTP(secret, code, now); step != 0 && TOTPCode(secret, time.Unix(step*30, 0)) != NormalizeCode(code) {
			t.Fatalf("code %q accepted for step %d", code, step)
		}
		_ = HashRecoveryCode(code)
	})
}
