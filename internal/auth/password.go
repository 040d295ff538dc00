// Package auth holds credential logic shared by the panel, the portal and
// the API: argon2id password hashing with bounded concurrency, the password
// policy, generated passwords and random tokens.
package auth

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"portico/internal/portico"
)

// Params are argon2id cost parameters. Defaults follow OWASP: t=2, m=19 MiB, p=1.
type Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams are the parameters new hashes use; older hashes are rehashed
// at login.
var DefaultParams = Params{Time: 2, Memory: 19456, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes and verifies passwords with at most NumCPU hashes running at
// once: argon2id takes 19 MiB and tens of milliseconds each, so unbounded
// parallel logins would exhaust memory and starve every other page.
type Hasher struct {
	params Params
	slots  chan struct{}
	// wait is how long a caller may queue for a slot before getting 429.
	wait  time.Duration
	dummy string
	done  atomic.Uint64
}

// NewHasher returns a Hasher with the given parameters and a slot per CPU.
// A caller waits at most half a second for a slot (about ten hashes' time
// per slot, so an ordinary burst of logins queues) before a 429: a flood
// is refused quickly instead of holding connections open.
func NewHasher(p Params) *Hasher {
	return NewHasherLimited(p, runtime.NumCPU(), 500*time.Millisecond)
}

// NewHasherLimited returns a Hasher running at most slots hashes at once,
// where a caller queues at most wait for a slot before getting 429.
func NewHasherLimited(p Params, slots int, wait time.Duration) *Hasher {
	h := &Hasher{params: p, slots: make(chan struct{}, max(1, slots)), wait: wait}
	h.dummy = h.hash("dummy password for timing")
	return h
}

// Reserve takes a hashing slot without hashing until release is called, or
// returns ETOOMANY like a login would. Tests use it to saturate the Hasher
// deterministically; it could also keep capacity back for maintenance.
func (h *Hasher) Reserve(ctx context.Context) (release func(), err error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	return func() { <-h.slots }, nil
}

// InFlight is how many hashes are running now (for metrics and tests).
func (h *Hasher) InFlight() int { return len(h.slots) }

// Done counts the hashes and verifications finished, dummy ones included
// (for metrics, and for tests that check an attempt did or did not hash).
func (h *Hasher) Done() uint64 { return h.done.Load() }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return &portico.Error{Code: portico.ETOOMANY, Message: "Too many logins at once; try again in a moment.", RetryAfter: 1}
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() {
	h.done.Add(1)
	<-h.slots
}

// Hash returns the PHC-format argon2id hash of password (NFC-normalised).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.hash(password), nil
}

func (h *Hasher) hash(password string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	p := h.params
	key := argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify checks password against an encoded hash. needsRehash is true when
// the hash used other parameters than the Hasher's. An empty or malformed
// hash is checked against a dummy so the time taken reveals nothing.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, needsRehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	p, salt, key, perr := decode(encoded)
	if perr != nil {
		p, salt, key, _ = decode(h.dummy)
	}
	got := argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1 && perr == nil
	return ok, ok && p != h.params, nil
}

// VerifyDummy spends the time of one verification without checking
// anything, so unknown users take as long as wrong passwords.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	_, _, err := h.Verify(ctx, "", password)
	return err
}

func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	var p Params
	var version int
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("bad argon2 parameters")
	}
	// Bounds: argon2 panics on zero rounds or threads, and a stored hash
	// asking for terabytes of memory must not take the process down.
	if p.Time < 1 || p.Time > 64 || p.Threads < 1 || p.Threads > 64 || p.Memory < 8*uint32(p.Threads) || p.Memory > 1<<21 {
		return p, nil, nil, fmt.Errorf("argon2 parameters out of range")
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 || len(key) > 64 || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("bad argon2 encoding")
	}
	return p, salt, key, nil
}

//go:embed common-passwords.txt
var commonList string

var common = func() map[string]bool {
	m := map[string]bool{}
	s := bufio.NewScanner(strings.NewReader(commonList))
	for s.Scan() {
		if w := strings.TrimSpace(s.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// CheckPolicy applies the password policy (NIST 800-63B): 8 to 128
// characters after NFC normalisation, any characters, no composition rules,
// common passwords refused. field names the form field for the error.
func CheckPolicy(field, password string) error {
	pw := norm.NFC.String(password)
	n := utf8.RuneCountInString(pw)
	switch {
	case n < 8:
		return portico.FieldError(field, "Password must be at least 8 characters.")
	case n > 128:
		return portico.FieldError(field, "Password must be at most 128 characters.")
	case common[strings.ToLower(pw)]:
		return portico.FieldError(field, "This password is too common; choose another.")
	}
	return nil
}

// passwordAlphabet leaves out look-alike characters (0/O, 1/l/I) because
// people type generated passwords from an email.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a 16-character password from a CSPRNG
// (about 93 bits).
func GeneratePassword() string {
	return randomString(16)
}

func randomString(n int) string { return randomFrom(passwordAlphabet, n) }

// randomFrom returns n characters drawn uniformly from alphabet with a CSPRNG.
func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	limit := byte(256 - 256%len(alphabet))
	buf := make([]byte, 1)
	for i := 0; i < n; {
		rand.Read(buf)
		if buf[0] >= limit {
			continue // rejection sampling keeps the choice uniform
		}
		b[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(b)
}
