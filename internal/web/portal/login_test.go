package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

func TestLoginDashboardAndNotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) { d.Footer = "Acme Voice Ltd, 1 Main St" })
		acc := e.account(portico.KindCustomer, "Globex", acme, nil)
		e.contact(acc, "ann@globex.example", func(c *portico.Contact) {
			c.PublicNotes = "Your SIP trunk is sip.acme.example"
			c.PrivateNotes = "Pays late; do not raise the limit"
		})
		b := e.browser("acme.localhost")
		b.get("/").redirect(t, "/login", "dashboard before login")
		login := b.login("ANN@Globex.example ", goodPassword)
		login.redirect(t, "/", "login")
		set := login.Header.Get("Set-Cookie")
		if !strings.HasPrefix(set, "portico_session=") || !strings.Contains(set, "HttpOnly") ||
			!strings.Contains(set, "SameSite=Lax") || strings.Contains(set, "Domain=") || strings.Contains(set, "Secure") {
			t.Fatalf("session cookie over plain HTTP = %q, want host-only, HttpOnly, SameSite=Lax, not Secure", set)
		}
		c := b.cookie()
		p := b.get("/").want(t, http.StatusOK, "dashboard")
		p.has(t, "Acme Voice", "Globex", "Active", "Your SIP trunk is sip.acme.example", "Acme Voice Ltd, 1 Main St",
			`href="/balance"`, `href="/cdr"`, `href="/rates"`, `href="/payments"`, `href="/summary"`)
		p.lacks(t, "Pays late", `href="/carrier"`, `href="/invoices"`, `href="/alerts"`)
		if !e.audited("contact.login", "ok") {
			t.Error("successful login not in the audit log")
		}
		// Logging out kills the session itself, not just the cookie.
		b.post("/logout", nil).redirect(t, "/login", "logout")
		thief := e.browser("acme.localhost")
		thief.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: "acme.localhost:8080"}, []*http.Cookie{c})
		thief.get("/").redirect(t, "/login", "a logged-out session's cookie")
	})
}

// Every refusal looks the same: status, page and message, whatever the
// reason, and keeps the typed email.
func TestLoginRefusalsLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", nil)
		other := e.brand("other.localhost", "Other Telecom", nil)
		e.contact(e.account(portico.KindCustomer, "Globex", acme, nil), "ann@globex.example", nil)
		e.contact(e.account(portico.KindCustomer, "Initech", other, nil), "bob@initech.example", nil)
		e.contact(e.account(portico.KindCustomer, "Hooli", acme, nil), "dan@hooli.example", func(c *portico.Contact) { c.Disabled = true })
		for _, status := range []string{portico.StatusPendingApproval, portico.StatusSuspended, portico.StatusRejected, portico.StatusArchived} {
			acc := e.account(portico.KindCustomer, "Acct "+status, acme, func(a *portico.Account) { a.Status = status })
			e.contact(acc, status+"@accounts.example", nil)
		}
		e.contact(e.account(portico.KindCustomer, "Walled", acme, nil), "wall@walled.example", func(c *portico.Contact) {
			c.IPAllowlist = []string{"203.0.113.0/24"}
		})
		refusals := map[string]string{
			"wrong password":       "ann@globex.example",
			"unknown email":        "nobody@nowhere.example",
			"other brand":          "bob@initech.example",
			"disabled contact":     "dan@hooli.example",
			"pending account":      "pending_approval@accounts.example",
			"suspended account":    "suspended@accounts.example",
			"rejected account":     "rejected@accounts.example",
			"archived account":     "archived@accounts.example",
			"outside IP allowlist": "wall@walled.example",
		}
		var first string
		for why, email := range refusals {
			password := goodPassword
			if why == "wrong password" {
				password = "not the password"
			}
			b := e.browser("acme.localhost")
			p := b.post("/login", url.Values{"email": {email}, "password": {password}}).want(t, http.StatusUnauthorized, why)
			p.has(t, "Email or password is incorrect.", `value="`+email+`"`)
			if b.cookie() != nil {
				t.Errorf("%s: a session cookie was set", why)
			}
			body := normalise(p.Body, email)
			if first == "" {
				first = body
			} else if body != first {
				t.Errorf("%s: refusal page differs from the others:\n%s\n---\n%s", why, body, first)
			}
		}
		if !e.audited("contact.login", "denied") {
			t.Error("refused logins not in the audit log")
		}
		// The contact of the other brand does log in on its own brand.
		e.browser("other.localhost").login("bob@initech.example", goodPassword)
	})
}

// A session is bound to the brand it was made on: the same cookie on
// another brand's host is no session, and a login rotates the cookie.
func TestSessionBoundToBrandAndRotated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", nil)
		other := e.brand("other.localhost", "Other Telecom", nil)
		acc := e.account(portico.KindCustomer, "Globex", acme, nil)
		e.contact(acc, "ann@globex.example", nil)
		b := e.browser("acme.localhost")
		b.login("ann@globex.example", goodPassword)
		first := b.cookie()
		elsewhere := e.browser("other.localhost")
		elsewhere.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: "other.localhost:8080"}, []*http.Cookie{first})
		elsewhere.get("/").redirect(t, "/login", "acme's session cookie on another brand's host")
		elsewhere.get("/balance").redirect(t, "/login", "a section with acme's cookie on another brand's host")
		b.get("/").want(t, http.StatusOK, "the session on its own host still works")

		b.login("ann@globex.example", goodPassword)
		if second := b.cookie(); second == nil || second.Value == first.Value {
			t.Fatal("logging in again kept the old session token")
		}
		old := e.browser("acme.localhost")
		old.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: "acme.localhost:8080"}, []*http.Cookie{first})
		old.get("/").redirect(t, "/login", "the session replaced by a new login")

		// Moved to the other brand by the operator, the account's contact
		// must log in there afresh: the session made on acme is acme's.
		current := b.cookie()
		acc.DomainID = &other.ID
		if err := e.svc.UpdateAccount(ctx, e.owner, acc); err != nil {
			t.Fatal(err)
		}
		b.get("/").redirect(t, "/login", "acme session after the account moved away")
		moved := e.browser("other.localhost")
		moved.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: "other.localhost:8080"}, []*http.Cookie{current})
		moved.get("/").redirect(t, "/login", "acme session on the account's new brand")
		moved.login("ann@globex.example", goodPassword).redirect(t, "/", "login on the new brand")
	})
}
