package auth

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"image/png"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP follows RFC 6238 with the parameters every authenticator app
// supports: SHA-1, six digits, 30-second steps, a 160-bit secret. A code is
// accepted one step either side of now, for clocks a little off.
const (
	totpPeriod = 30
	totpSkew   = 1
)

// TOTPKey is a freshly generated authenticator secret and what an app
// needs to add it: the otpauth:// URL and the same as a QR code image.
type TOTPKey struct {
	Secret string // base32, shown for typing in by hand
	URL    string
	// QRDataURL is a PNG of the URL as a data: URL (the CSP allows data:
	// images, and no script is needed to draw it).
	QRDataURL string
}

// NewTOTPKey generates a secret for account (an email) at issuer (a brand
// or "Portico control panel").
func NewTOTPKey(issuer, account string) (*TOTPKey, error) {
	return newKey(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod})
}

func newKey(opts totp.GenerateOpts) (*TOTPKey, error) {
	k, err := totp.Generate(opts)
	if err != nil {
		return nil, err
	}
	out := &TOTPKey{Secret: k.Secret(), URL: k.URL()}
	if img, err := k.Image(200, 200); err == nil {
		var b bytes.Buffer
		if png.Encode(&b, img) == nil {
			out.QRDataURL = "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
		}
	}
	return out, nil
}

// NormalizeCode strips the spaces and dashes people type into codes
// ("123 456", "abcd-efgh") and lower-cases letters.
func NormalizeCode(code string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, code))
}

// CheckTOTP reports the time step of the code if it is right for secret
// at now (one step of skew either way), or 0 when it is not. The caller
// stores the step so the same code cannot be used twice.
func CheckTOTP(secret, code string, now time.Time) int64 {
	code = NormalizeCode(code)
	if len(code) != 6 {
		return 0
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0
		}
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := step + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return 0
}

// TOTPCode returns the code for secret at t (tests and the CLI use it).
func TOTPCode(secret string, t time.Time) string {
	c, _ := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1})
	return c
}

// recoveryAlphabet has no look-alike characters; codes are typed from paper.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewRecoveryCodes returns n single-use recovery codes ("xxxxx-xxxxx",
// about 49 bits each) and their hashes for storage.
func NewRecoveryCodes(n int) (codes, hashes []string) {
	for range n {
		raw := randomFrom(recoveryAlphabet, 10)
		code := raw[:5] + "-" + raw[5:]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes
}

// HashRecoveryCode returns the stored form of a recovery code as typed.
// The codes are random and single use, and throttled like passwords, so a
// fast hash is enough.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte("portico-recovery:" + NormalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// TOTPKeyFor rebuilds the key of an existing secret (to show a set-up that
// is not confirmed yet again).
func TOTPKeyFor(issuer, account, secret string) (*TOTPKey, error) {
	raw, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return nil, err
	}
	return newKey(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: raw})
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
