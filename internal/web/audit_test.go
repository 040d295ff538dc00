package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// Security-relevant actions land in the audit log with who, what, which
// account, from where (address and user agent), when (UTC) and outcome.
func TestAuditRecordsSecurityEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		b := w.browser(acmeHost)
		b.header.Set("User-Agent", "AuditTest/1.0")
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {badPassword}}).want(t, http.StatusUnauthorized, "failed login")
		b.post("/login", url.Values{"email": {"nobody@nowhere.example"}, "password": {badPassword}}).want(t, http.StatusUnauthorized, "unknown login")
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/", "login")
		b.post("/password", url.Values{"current_password": {password}, "new_password": {"another long passphrase"}}).redirect(t, "/", "password change")
		op := w.operator(w.owner.Email)
		w.accA.AccessOverrides = map[portico.Section]bool{portico.SectionCDR: false}
		if err := w.svc.UpdateAccount(ctx, w.owner, w.accA); err != nil {
			t.Fatal(err)
		}
		op.post(fmt.Sprintf("/customers/%d/require-2fa", w.accA.ID), url.Values{"require_2fa": {"1"}}).redirect(t, "/customers/", "require 2FA")
		if err := w.svc.Signup(ctx, w.brand, app.SignupInput{Kind: portico.KindCustomer, CompanyName: "Hooli", Name: "Gavin",
			Email: "gavin@hooli.example", Password: "a long enough passphrase", Currency: "USD", AcceptTerms: true}, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		pending, _ := db.Read().FindAccounts(ctx, portico.AccountFilter{Kind: portico.KindCustomer, Status: portico.StatusPendingApproval})
		op.post(fmt.Sprintf("/customers/%d/approve", pending[0].ID), nil).redirect(t, "/", "approve")

		type want struct {
			action, outcome string
			account         *portico.Account
			actor, detail   string
		}
		for _, c := range []want{
			{"contact.login", "denied", w.accA, "contact:? ann@globex.example", ""},
			{"contact.login", "ok", w.accA, fmt.Sprintf("contact:%d ann@globex.example", w.ann.ID), ""},
			{"contact.password_change", "ok", w.accA, fmt.Sprintf("contact:%d", w.ann.ID), "every other session ended"},
			{"customer.update", "ok", w.accA, "user:", "hide cdr"},
			{"customer.require_2fa", "ok", w.accA, "user:", "true"},
			{"customer.approve", "ok", pending[0], "user:", "Hooli"},
			{"customer.signup", "ok", pending[0], "contact:", "Hooli"},
			{"panel.login", "ok", nil, "user:", ""},
		} {
			var found *store.AuditEntry
			for _, e := range w.audited(c.action) {
				if e.Outcome == c.outcome && strings.Contains(e.Actor, c.actor) {
					found = &e
					break
				}
			}
			if found == nil {
				t.Errorf("no %s/%s entry by %q", c.action, c.outcome, c.actor)
				continue
			}
			if c.account != nil && (found.AccountID == nil || *found.AccountID != c.account.ID) {
				t.Errorf("%s: account %v, want %d", c.action, found.AccountID, c.account.ID)
			}
			direct := c.action == "customer.update" || c.action == "customer.signup" // made by calling app, not over HTTP
			if found.IP == "" || found.UserAgent == "" && !direct || found.At.Location() != time.UTC || time.Since(found.At) > time.Hour {
				t.Errorf("%s: missing where or when: %+v", c.action, found)
			}
			if !strings.Contains(found.Detail, c.detail) {
				t.Errorf("%s: detail %q lacks %q", c.action, found.Detail, c.detail)
			}
			if strings.HasPrefix(c.action, "contact.login") && found.UserAgent != "AuditTest/1.0" {
				t.Errorf("%s: user agent %q", c.action, found.UserAgent)
			}
		}
		for _, e := range w.audited("contact.login") {
			if e.Actor == "contact:? nobody@nowhere.example" && e.AccountID != nil {
				t.Errorf("an unknown email's failure names an account: %+v", e)
			}
		}
	})
}

// No secret reaches the audit log: not passwords (typed, wrong or
// generated), session or API tokens, authenticator secrets, codes or
// recovery codes, nor emailed link tokens.
func TestAuditHasNoSecrets(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		secrets := []string{password, badPassword, "the new passphrase 7", w.ownerAPI, w.suppAPI}
		ann := w.contactBrowser(w.ann)
		for _, c := range ann.c.Jar.Cookies(&url.URL{Scheme: "http", Host: acmeHost}) {
			secrets = append(secrets, c.Value)
		}
		w.browser(acmeHost).post("/login", url.Values{"email": {w.ann.Email}, "password": {badPassword}})
		secret, codes := w.enrolContact(ann)
		secrets = append(append(secrets, secret), codes...)
		w.clock.advance(31 * time.Second)
		code := w.code(secret)
		secrets = append(secrets, code)
		b := w.browser(acmeHost)
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/login/2fa", "password step")
		b.post("/login/2fa", url.Values{"code": {code}}).redirect(t, "/", "code")
		b.post("/password", url.Values{"current_password": {password}, "new_password": {"the new passphrase 7"}}).redirect(t, "/", "password change")
		w.browser(acmeHost).post("/forgot", url.Values{"email": {w.ann.Email}}).want(t, http.StatusOK, "reset request")
		u := supportLink(t, w.operator(w.owner.Email).post(fmt.Sprintf("/contacts/%d/impersonate", w.ann.ID), nil))
		secrets = append(secrets, u.Query().Get("token"))
		if err := w.svc.SetContactPassword(ctx, w.owner, w.bob.ID, app.PasswordChoice{AutoGenerate: true}); err != nil {
			t.Fatal(err)
		}
		entries, err := db.Read().FilterAuditEntries(ctx, store.AuditFilter{Limit: 500})
		if err != nil || len(entries) < 20 {
			t.Fatalf("%d entries, %v", len(entries), err)
		}
		for _, e := range entries {
			all := strings.Join([]string{e.Actor, e.Action, e.Target, e.Detail, e.UserAgent}, " ")
			for _, s := range secrets {
				if s != "" && strings.Contains(all, s) {
					t.Errorf("audit entry %s holds a secret (%q): %q", e.Action, s, all)
				}
			}
		}
	})
}

// The panel's audit log filters by action, actor, account, outcome and
// address; every role may read it.
func TestPanelAuditFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.browser(acmeHost).post("/login", url.Values{"email": {w.bob.Email}, "password": {badPassword}})
		w.contactBrowser(w.ann)
		sup := w.operator(w.support.Email)
		p := sup.get("/audit?action=contact.login&outcome=denied").want(t, http.StatusOK, "filtered")
		p.has(t, "contact:? bob@initech.example")
		p.lacks(t, "contact:"+itoa(w.ann.ID)+" ann@globex.example", "panel.login")
		p = sup.get(fmt.Sprintf("/audit?account=%d", w.accA.ID)).want(t, http.StatusOK, "by account")
		p.has(t, "ann@globex.example")
		p.lacks(t, "bob@initech.example")
		sup.get("/audit?action=panel.&actor=support%40").want(t, http.StatusOK, "by actor").has(t, "panel.login", "support@operator.example")
		sup.get("/audit?since=junk&account=-1&outcome=%3Cscript%3E").want(t, http.StatusOK, "junk filters are ignored")
	})
}

// A contact reads its own account's activity: its logins, failures on its
// address, changes staff made; never another account's, and staff are
// not named.
func TestPortalActivity(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.browser(acmeHost).post("/login", url.Values{"email": {w.ann.Email}, "password": {badPassword}})
		w.contactBrowser(w.bob)
		if _, err := w.svc.EndContactSessionsFor(ctx, w.owner, w.ann.ID); err != nil {
			t.Fatal(err)
		}
		p := w.contactBrowser(w.ann).get("/activity").want(t, http.StatusOK, "activity")
		p.has(t, "contact.login", "denied", "ann@globex.example", "contact.sessions_end", "Support staff")
		p.lacks(t, "bob@initech.example", "owner@operator.example", "Olive")
		for i := 0; i < 60; i++ {
			w.contactBrowser(w.ann)
		}
		first := w.contactBrowser(w.ann).get("/activity").want(t, http.StatusOK, "first page")
		if !strings.Contains(first.Body, `rel="next"`) {
			t.Fatal("no next page after 60 logins")
		}
	})
}
