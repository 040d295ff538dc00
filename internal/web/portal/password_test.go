package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// generatedPassword reads the password the welcome email will carry, as
// the mail worker would when sending it.
func (e *env) generatedPassword(to string) string {
	e.t.Helper()
	mails := e.emails(mail.KindWelcome, to)
	if len(mails) != 1 {
		e.t.Fatalf("%d welcome emails to %s, want 1", len(mails), to)
	}
	sealed, err := e.db.Read().EmailSecret(ctx, mails[0].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	pw, err := e.svc.Box.Open(sealed)
	if err != nil {
		e.t.Fatal(err)
	}
	return pw
}

func TestForcedPasswordChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", nil)
		acc := e.account(portico.KindCustomer, "Globex", acme, nil)
		c := &portico.Contact{AccountID: acc.ID, Name: "Ann", Email: "ann@globex.example"}
		if err := e.svc.CreateContact(ctx, e.owner, c, app.PasswordChoice{AutoGenerate: true}); err != nil {
			t.Fatal(err)
		}
		generated := e.generatedPassword(c.Email)

		other := e.browser("acme.localhost") // a second device, logged in first
		other.login(c.Email, generated).redirect(t, "/password", "login on the other device")
		b := e.browser("acme.localhost")
		b.login(c.Email, generated).redirect(t, "/password", "login with a generated password")
		for _, path := range []string{"/", "/balance", "/profile"} {
			b.get(path).redirect(t, "/password", path+" while a change is forced")
		}
		b.get("/password").want(t, http.StatusOK, "password page").has(t, "generated for you")

		p := b.post("/password", url.Values{"current_password": {"wrong"}, "new_password": {"short"}})
		p.want(t, http.StatusUnprocessableEntity, "wrong current and short new password")
		p.has(t, "Current password is incorrect.", "at least 8 characters")
		b.post("/password", url.Values{"current_password": {generated}, "new_password": {generated}}).
			want(t, http.StatusUnprocessableEntity, "the same password again").has(t, "different from the current one")

		before := b.cookie()
		b.post("/password", url.Values{"current_password": {generated}, "new_password": {"my own long passphrase"}}).
			redirect(t, "/", "password change")
		if after := b.cookie(); after == nil || after.Value == before.Value {
			t.Fatal("the session was not rotated by the password change")
		}
		b.get("/").want(t, http.StatusOK, "dashboard after the change")
		other.get("/").redirect(t, "/login", "the other device after the password change")
		if !e.audited("contact.password_change", "ok") {
			t.Error("password change not in the audit log")
		}
		e.browser("acme.localhost").post("/login", url.Values{"email": {c.Email}, "password": {generated}}).
			want(t, http.StatusUnauthorized, "the generated password after the change")
		e.browser("acme.localhost").login(c.Email, "my own long passphrase").redirect(t, "/", "login with the new password")
	})
}

func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", nil)
		e.brand("other.localhost", "Other Telecom", nil)
		c := e.contact(e.account(portico.KindCustomer, "Globex", acme, nil), "ann@globex.example", nil)
		logged := e.browser("acme.localhost")
		logged.login(c.Email, goodPassword)

		b := e.browser("acme.localhost")
		b.get("/forgot").want(t, http.StatusOK, "forgot form")
		known := b.post("/forgot", url.Values{"email": {"Ann@Globex.example"}}).want(t, http.StatusOK, "forgot, known address")
		unknown := b.post("/forgot", url.Values{"email": {"nobody@globex.example"}}).want(t, http.StatusOK, "forgot, unknown address")
		if normalise(known.Body, c.Email) != normalise(unknown.Body, "nobody@globex.example") {
			t.Errorf("forgot answers differ for known and unknown addresses")
		}
		e.browser("other.localhost").post("/forgot", url.Values{"email": {c.Email}}).want(t, http.StatusOK, "forgot on another brand")
		if n := len(e.emails(mail.KindPasswordReset, c.Email)); n != 1 {
			t.Fatalf("%d reset emails, want 1 (none from the other brand)", n)
		}
		if n := len(e.emails(mail.KindPasswordReset, "nobody@globex.example")); n != 0 {
			t.Fatalf("a reset email went to an unknown address")
		}
		link := e.link(mail.KindPasswordReset, c.Email)
		if link.Host != "acme.localhost:8080" || link.Path != "/reset" {
			t.Fatalf("reset link %s is not on the brand's domain", link)
		}
		path := link.RequestURI()

		// Mail scanners fetch links: GET shows the form and uses nothing.
		b.get(path).want(t, http.StatusOK, "reset link, first GET").has(t, "Choose a new password")
		b.get(path).want(t, http.StatusOK, "reset link, second GET")
		e.browser("other.localhost").get(path).want(t, http.StatusNotFound, "reset link on another brand's host")
		b.post(path, url.Values{"password": {"short"}}).want(t, http.StatusUnprocessableEntity, "weak new password").
			has(t, "at least 8 characters")
		b.post(path, url.Values{"password": {"a brand new passphrase"}}).want(t, http.StatusOK, "reset").has(t, "Password changed")
		b.post(path, url.Values{"password": {"another new passphrase"}}).want(t, http.StatusNotFound, "reset link used twice")
		b.get(path).want(t, http.StatusNotFound, "used reset link")

		logged.get("/").redirect(t, "/login", "a session from before the reset")
		e.browser("acme.localhost").login(c.Email, "a brand new passphrase").redirect(t, "/", "login after reset")
		if !e.audited("contact.password_reset", "ok") {
			t.Error("reset not in the audit log")
		}
	})
}

// normalise drops the one part of an answer that echoes the typed email.
func normalise(body, email string) string { return strings.ReplaceAll(body, email, "EMAIL") }
