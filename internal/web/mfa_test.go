package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

// enrolContact sets up two-factor for the logged-in browser's contact and
// returns the authenticator secret and the recovery codes shown.
func (w *world) enrolContact(b *browser) (string, []string) {
	w.t.Helper()
	secret := totpSecret(w.t, b.post("/security/totp", nil).want(w.t, http.StatusOK, "start two-factor set-up"))
	p := b.post("/security/totp/confirm", url.Values{"code": {w.code(secret)}}).want(w.t, http.StatusOK, "confirm two-factor")
	codes := recoveryCodes(p)
	if len(codes) != 10 {
		w.t.Fatalf("%d recovery codes shown, want 10:\n%s", len(codes), p.Body)
	}
	return secret, codes
}

// A contact turns on TOTP; from then on a login needs a code: a wrong one
// is refused, a used one never works again, a recovery code works once,
// and the half-logged-in session opens no page.
func TestContactTwoFactor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ann := w.contactBrowser(w.ann)
		ann.get("/security").want(t, http.StatusOK, "security page").has(t, "Set up two-factor")
		start := ann.post("/security/totp", nil).want(t, http.StatusOK, "start")
		secret := totpSecret(t, start)
		if !strings.Contains(start.Body, `src="data:image/png;base64,`) {
			t.Error("no QR code image")
		}
		ann.post("/security/totp/confirm", url.Values{"code": {"000000"}}).want(t, http.StatusUnprocessableEntity, "confirming with a wrong code").
			has(t, "Key: <code>"+secret+"</code>")
		confirmed := ann.post("/security/totp/confirm", url.Values{"code": {w.code(secret)}}).want(t, http.StatusOK, "confirm")
		codes := recoveryCodes(confirmed)
		if len(codes) != 10 {
			t.Fatalf("recovery codes: %v", codes)
		}
		ann.get("/security").has(t, "Recovery codes left: 10")
		ann.get("/security").lacks(t, codes[0], secret)

		b := w.browser(acmeHost)
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/login/2fa", "password step")
		b.get("/").redirect(t, "/login", "a page before the second factor")
		b.post("/login/2fa", url.Values{"code": {"123456"}}).want(t, http.StatusUnprocessableEntity, "a wrong code")
		w.clock.advance(31 * time.Second) // the code used at set-up is spent; take the next
		code := w.code(secret)
		b.post("/login/2fa", url.Values{"code": {code}}).redirect(t, "/", "the right code")
		b.get("/").want(t, http.StatusOK, "dashboard after both factors")

		replay := w.browser(acmeHost)
		replay.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/login/2fa", "password step")
		replay.post("/login/2fa", url.Values{"code": {code}}).want(t, http.StatusUnprocessableEntity, "the same code again")
		replay.post("/login/2fa", url.Values{"code": {strings.ToUpper(codes[3])}}).redirect(t, "/", "a recovery code, typed in capitals")
		again := w.browser(acmeHost)
		again.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/login/2fa", "password step")
		again.post("/login/2fa", url.Values{"code": {codes[3]}}).want(t, http.StatusUnprocessableEntity, "a used recovery code")

		// Turning it off takes the password.
		ann = b
		ann.post("/security/totp/disable", url.Values{"current_password": {"wrong"}}).want(t, http.StatusUnprocessableEntity, "disable, wrong password")
		ann.post("/security/totp/disable", url.Values{"current_password": {password}}).redirect(t, "/security", "disable")
		w.contactBrowser(w.ann).get("/").want(t, http.StatusOK, "login without a code once it is off")
		for _, a := range []string{"mfa.enable", "mfa.disable"} {
			if es := w.audited(a); len(es) != 1 || es[0].AccountID == nil || *es[0].AccountID != w.accA.ID {
				t.Errorf("%s audited as %+v", a, es)
			}
		}
		if es := w.audited("contact.login.mfa"); len(es) < 2 || es[0].Outcome != "denied" {
			t.Errorf("wrong codes audited as %+v", es)
		}
	})
}

// Codes are throttled per login like passwords: five wrong, then 429.
func TestTwoFactorCodesThrottled(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		secret, _ := w.enrolContact(w.contactBrowser(w.ann))
		b := w.browser(acmeHost)
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/login/2fa", "password step")
		for i := range 5 {
			b.post("/login/2fa", url.Values{"code": {fmt.Sprintf("%06d", i)}}).want(t, http.StatusUnprocessableEntity, "wrong code")
		}
		w.clock.advance(31 * time.Second)
		wantThrottled(t, b.post("/login/2fa", url.Values{"code": {w.code(secret)}}), "the right code after five wrong ones", "29")
		w.clock.advance(30 * time.Second)
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/login/2fa", "password step again")
		b.post("/login/2fa", url.Values{"code": {w.code(secret)}}).redirect(t, "/", "after the window")
	})
}

// A brand or an account can require two-factor: a contact without it is
// held on the security page until it is set up; the operator can reset a
// lost one (audited), and the contact then sets it up again.
func TestRequireTwoFactor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		owner, support := w.operator(w.owner.Email), w.operator(w.support.Email)
		support.post(fmt.Sprintf("/domains/%d/require-2fa", w.brand.ID), url.Values{"require_2fa": {"1"}}).want(t, http.StatusForbidden, "support")
		owner.get(fmt.Sprintf("/customers/%d/security", w.accA.ID)).want(t, http.StatusOK, "account security page")
		owner.post(fmt.Sprintf("/customers/%d/require-2fa", w.accA.ID), url.Values{"require_2fa": {"1"}}).redirect(t, "/customers/", "require for Globex")

		ann := w.contactBrowser(w.ann)
		for _, path := range []string{"/", "/profile", "/balance", "/sessions"} {
			ann.get(path).redirect(t, "/security", "ann before setting up two-factor: "+path)
		}
		ann.get("/security").want(t, http.StatusOK, "security page").has(t, "requires two-factor authentication")
		w.contactBrowser(w.bob).get("/").want(t, http.StatusOK, "bob's account does not require it")
		secret, _ := w.enrolContact(ann)
		ann.get("/").want(t, http.StatusOK, "ann with two-factor on")
		ann.post("/security/totp/disable", url.Values{"current_password": {password}}).want(t, http.StatusForbidden, "turning off a required second factor")

		// The brand requires it too: bob is held now.
		owner.post(fmt.Sprintf("/domains/%d/require-2fa", w.brand.ID), url.Values{"require_2fa": {"1"}}).redirect(t, "/domains/", "require for the brand")
		w.contactBrowser(w.bob).get("/").redirect(t, "/security", "bob once the brand requires it")

		// Lost phone: the operator resets it; ann must set it up again.
		owner.post(fmt.Sprintf("/contacts/%d/mfa/reset", w.ann.ID), nil).redirect(t, "/contacts/", "reset")
		es := w.audited("mfa.reset")
		if len(es) != 1 || es[0].AccountID == nil || *es[0].AccountID != w.accA.ID || !strings.HasPrefix(es[0].Actor, "user:") {
			t.Fatalf("reset audited as %+v", es)
		}
		b := w.browser(acmeHost)
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/", "login after reset: no code asked")
		b.get("/").redirect(t, "/security", "held until set up again")
		_ = secret
	})
}

// Operator users have two-factor too, at the panel's login.
func TestOperatorTwoFactor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		op := w.operator(w.support.Email) // any role may protect its own login
		secret := totpSecret(t, op.post("/security/totp", nil).want(t, http.StatusOK, "start"))
		codes := recoveryCodes(op.post("/security/totp/confirm", url.Values{"code": {w.code(secret)}}).want(t, http.StatusOK, "confirm"))
		if len(codes) != 10 {
			t.Fatalf("recovery codes %v", codes)
		}
		b := w.browser(panelHost)
		b.post("/login", url.Values{"email": {w.support.Email}, "password": {password}, "next": {"/audit"}}).redirect(t, "/login/2fa?next=%2Faudit", "password step")
		b.get("/").redirect(t, "/login", "panel before the second factor")
		b.post("/login/2fa", url.Values{"code": {"999999"}, "next": {"/audit"}}).want(t, http.StatusUnprocessableEntity, "wrong code")
		w.clock.advance(31 * time.Second)
		b.post("/login/2fa", url.Values{"code": {w.code(secret)}, "next": {"/audit"}}).redirect(t, "/audit", "right code")
		b.get("/audit").want(t, http.StatusOK, "audit log after both factors")
		c := w.browser(panelHost)
		c.post("/login", url.Values{"email": {w.support.Email}, "password": {password}}).redirect(t, "/login/2fa", "password step")
		c.post("/login/2fa", url.Values{"code": {codes[0]}}).redirect(t, "/", "recovery code")
	})
}
