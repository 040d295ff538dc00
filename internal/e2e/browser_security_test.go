package e2e

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// securitySteps are the flows around logins: two-factor for a contact and
// for the operator, the sessions and activity pages, the operator's
// support login as a contact, and two-factor required for an account.
var securitySteps = []step{
	{"new browser for the security flows", func(f *flow) { f.restart() }},
	{"portal two-factor, sessions and activity", (*flow).portalTwoFactor},
	{"panel support login as the contact", (*flow).supportLogin},
	{"panel two-factor for the operator", (*flow).panelTwoFactor},
	{"two-factor required for an account's contacts", (*flow).requireTwoFactor},
}

func (f *flow) portalTwoFactor() {
	f.open(f.portal("/login"), "portal/login", 200)
	f.login(annEmail, annPassword2, "portal/dashboard", 200)
	f.open(f.portal("/security"), "portal/security", 200)
	f.wantText("main", "Two-factor authentication", "Off.")
	f.press("Set up two-factor", "portal/security:enrolment", 200)
	if w := eval[int](f.ui, `(document.querySelector("main img[alt^='QR code']") || {}).naturalWidth || 0`); w == 0 {
		f.t.Error("the enrolment page shows no QR code")
	}
	secret := f.text("main code")
	// The previous 30-second step (within the allowed skew), so that the
	// login below can use the current one: codes are single use.
	f.fill("f-code", totpCode(f.t, secret, awayFromStepEdge().Add(-30*time.Second)))
	f.press("Turn two-factor on", "portal/security:codes", 200)
	if codes := f.texts("ul.codes code"); len(codes) < 5 {
		f.t.Errorf("recovery codes shown: %q", codes)
	}
	f.wantText("main", "On:")

	f.press("Your sessions", "portal/sessions", 200)
	f.wantText("table", "(this session)")
	f.open(f.portal("/security"), "portal/security", 200)
	f.press("Account activity", "portal/activity", 200)
	f.wantText("table", "ok")

	// The next login asks for a code.
	f.press("Log out", "portal/login", 200)
	f.login(annEmail, annPassword2, "portal/login_2fa", 200)
	f.wantPath("/login/2fa")
	f.fill("f-code", totpCode(f.t, secret, time.Now()))
	f.press("Verify", "portal/dashboard", 200)
	f.wantPath("/")
	f.wantText("main h1", "Welcome, Ann Ops")
}

func (f *flow) supportLogin() {
	f.open(f.panel("/login"), "panel/login", 200)
	f.login(ownerEmail, ownerPassword, "panel/dashboard", 200)
	f.open(f.panel("/contacts/"+f.annID+"/security"), "panel/contact_security", 200)
	f.wantText(`section[aria-labelledby="mfa-title"]`, "On")
	f.press("Log in as Ann Ops", "panel/contact_security:link", 200)
	f.press("Open the portal as Ann Ops", "portal/support", 200)
	if host := f.host(); !strings.HasPrefix(host, "acme.localhost:") {
		f.t.Fatalf("support login opened on %s, want the contact's brand", host)
	}
	f.wantText("main", ownerEmail)
	f.press("Start support session", "portal/dashboard:support", 200)
	f.wantText("main h1", "Welcome, Ann Ops")
	f.wantText(".support-banner", "Support session", ownerEmail)
	f.press("End support session", "portal/login", 200)
}

func (f *flow) panelTwoFactor() {
	f.open(f.panel("/security"), "panel/security", 200)
	f.press("Set up two-factor", "panel/security:enrolment", 200)
	secret := f.text("main code")
	f.fill("f-code", totpCode(f.t, secret, awayFromStepEdge().Add(-30*time.Second)))
	f.press("Turn two-factor on", "panel/security:codes", 200)
	f.wantText("main", "On:")
	f.press("Log out", "panel/login", 200)
	f.login(ownerEmail, ownerPassword, "panel/login_2fa", 200)
	if !strings.HasPrefix(f.path(), "/login/2fa") {
		f.t.Fatalf("a login with two-factor on went to %s", f.path())
	}
	f.fill("f-code", totpCode(f.t, secret, time.Now()))
	f.press("Verify", "panel/dashboard", 200)
	f.wantPath("/")
}

func (f *flow) requireTwoFactor() {
	f.open(f.panel("/domains/"+f.acmeID+"/security"), "panel/require_2fa", 200)
	f.open(f.panel("/customers?q=Initech"), "panel/accounts", 200)
	f.press("Initech", "panel/account_form:edit", 200)
	f.open(f.panel("/customers/"+f.idFrom("/customers/")+"/security"), "panel/require_2fa", 200)
	f.tick("f-require_2fa", true)
	f.press("Save", "panel/require_2fa", 200)
	if !f.checked("#f-require_2fa") {
		f.t.Fatal("requiring two-factor was not saved")
	}

	// Peter must set it up before anything else.
	f.open(f.portal("/login"), "portal/login", 200)
	f.login("peter@initech.example", signupPassword, "portal/security:forced", 200)
	f.wantPath("/security")
	f.wantText(".alert[role=alert]", "requires two-factor")
	f.open(f.portal("/balance"), "portal/security:forced", 200)
	f.wantPath("/security")
	f.press("Log out", "portal/login", 200)
}

// awayFromStepEdge returns the time once at least three seconds of the
// current 30-second step are left, so a code for the previous step is
// still within the server's one-step skew when the form arrives.
func awayFromStepEdge() time.Time {
	left := 30*time.Second - time.Duration(time.Now().UnixNano()%int64(30*time.Second))
	if left < 3*time.Second {
		time.Sleep(left)
	}
	return time.Now()
}

// totpCode is what an authenticator app shows for secret (base32) at t:
// RFC 6238 with SHA-1, six digits and 30-second steps, written here
// rather than taken from the product so that both sides are not the same
// code.
func totpCode(t interface{ Fatalf(string, ...any) }, secret string, at time.Time) string {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(strings.ReplaceAll(secret, " ", ""), "=")))
	if err != nil {
		t.Fatalf("authenticator key %q is not base32: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}
