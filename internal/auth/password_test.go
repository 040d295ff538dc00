package auth

import (
	"context"
	"strings"
	"testing"

	"portico/internal/portico"
)

func TestHashVerifyAndRehash(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(DefaultParams)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil || !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash = %q, %v", enc, err)
	}
	if ok, rehash, _ := h.Verify(ctx, enc, "correct horse battery"); !ok || rehash {
		t.Fatalf("verify ok=%v rehash=%v", ok, rehash)
	}
	if ok, _, _ := h.Verify(ctx, enc, "wrong horse battery"); ok {
		t.Fatal("wrong password accepted")
	}
	// NFC: the precomposed and decomposed forms of é are the same password.
	enc2, _ := h.Hash(ctx, "caf\u00e9-latte")
	if ok, _, _ := h.Verify(ctx, enc2, "cafe\u0301-latte"); !ok {
		t.Fatal("NFC-equivalent password refused")
	}
	weaker := NewHasher(Params{Time: 1, Memory: 8192, Threads: 1})
	old, _ := weaker.Hash(ctx, "correct horse battery")
	if ok, rehash, _ := h.Verify(ctx, old, "correct horse battery"); !ok || !rehash {
		t.Fatalf("old-params hash: ok=%v rehash=%v, want both true", ok, rehash)
	}
	if ok, _, _ := h.Verify(ctx, "", ""); ok {
		t.Fatal("empty hash verified")
	}
}

func TestHasherRefusesWhenSaturated(t *testing.T) {
	h := NewHasher(DefaultParams)
	h.wait = 0
	for range cap(h.slots) {
		h.slots <- struct{}{}
	}
	_, err := h.Hash(context.Background(), "whatever-long")
	if portico.ErrorCode(err) != portico.ETOOMANY {
		t.Fatalf("saturated hasher: got %v, want too_many_requests", err)
	}
}

func TestPolicy(t *testing.T) {
	for pw, wantOK := range map[string]bool{
		"short":                  false,
		"password123":            false,
		"PASSWORD123":            false,
		strings.Repeat("x", 129): false,
		"ünïcödé-pässwörd":       true,
		"correct horse battery":  true,
		"12345678":               false,
		"exactly8":               true,
	} {
		err := CheckPolicy("password", pw)
		if (err == nil) != wantOK {
			t.Errorf("CheckPolicy(%q) = %v, want ok=%v", pw, err, wantOK)
		}
		if err != nil && portico.ErrorFields(err)["password"] == "" {
			t.Errorf("policy error not on the field: %v", err)
		}
	}
}

func TestGeneratedPasswordsAndTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p := GeneratePassword()
		if len(p) != 16 || seen[p] || CheckPolicy("p", p) != nil || strings.ContainsAny(p, "0O1lI") {
			t.Fatalf("bad generated password %q", p)
		}
		seen[p] = true
	}
	tok, hash := NewToken()
	if len(tok) != 43 || HashToken(tok) != hash || hash == tok {
		t.Fatalf("token %q hash %q", tok, hash)
	}
}
