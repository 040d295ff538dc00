package secret

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestSealOpenAndKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	key, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(key, again) {
		t.Fatalf("key not stable across loads: %v", err)
	}
	box, _ := NewBox(key)
	sealed := box.Seal("hunter2-but-long")
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("sealed text contains the plaintext")
	}
	if got, err := box.Open(sealed); err != nil || got != "hunter2-but-long" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := NewBox(bytes.Repeat([]byte{1}, KeySize))
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("a different key opened the secret")
	}
}
