package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// A contact sees where it is logged in (address, browser, this session
// marked) and ends any one session, or all but this one.
func TestContactSeesAndEndsOwnSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		laptop := w.browser(acmeHost)
		laptop.header.Set("User-Agent", "Laptop Browser/1.0")
		laptop.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/", "laptop login")
		phone := w.browser(acmeHost)
		phone.header.Set("User-Agent", "Phone Browser/2.0")
		phone.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/", "phone login")
		tablet := w.contactBrowser(w.ann)
		w.contactBrowser(w.bob)

		p := laptop.get("/sessions").want(t, http.StatusOK, "sessions page")
		p.has(t, "Laptop Browser/1.0 <strong>(this session)</strong>", "Phone Browser/2.0", "127.0.0.1")
		ids := w.sessionIDs(w.ann)
		if len(ids) != 3 {
			t.Fatalf("ann has %d sessions, want 3", len(ids))
		}
		// ids are newest first: tablet, phone, laptop.
		laptop.post(fmt.Sprintf("/sessions/%d/end", ids[1]), nil).redirect(t, "/sessions", "ending the phone's session")
		phone.get("/").redirect(t, "/login", "the phone after its session was ended")
		tablet.get("/").want(t, http.StatusOK, "the tablet meanwhile")
		laptop.post("/sessions/end-others", nil).redirect(t, "/sessions", "ending all others")
		tablet.get("/").redirect(t, "/login", "the tablet after end-others")
		laptop.get("/").want(t, http.StatusOK, "the session that ended the others")
		if got := w.sessionIDs(w.bob); len(got) != 1 {
			t.Fatalf("bob's sessions were touched: %v", got)
		}
		for _, e := range w.audited("contact.session_end") {
			if e.AccountID == nil || *e.AccountID != w.accA.ID {
				t.Errorf("session end audited without the account: %+v", e)
			}
		}
	})
}

// Changing the password ends every other session and rotates this one.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		here, there := w.contactBrowser(w.ann), w.contactBrowser(w.ann)
		old := here.c.Jar.Cookies(&url.URL{Scheme: "http", Host: acmeHost})[0].Value
		here.post("/password", url.Values{"current_password": {password}, "new_password": {"a new long passphrase"}}).redirect(t, "/", "password change")
		there.get("/").redirect(t, "/login", "the other session after a password change")
		here.get("/").want(t, http.StatusOK, "this session, rotated")
		if now := here.c.Jar.Cookies(&url.URL{Scheme: "http", Host: acmeHost})[0].Value; now == old {
			t.Fatal("the session token was not rotated")
		}
		thief := w.browser(acmeHost)
		thief.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: acmeHost}, []*http.Cookie{{Name: "portico_session", Value: old}})
		thief.get("/").redirect(t, "/login", "the pre-change token")
	})
}

// Suspending an account, disabling a contact, or the operator's "end all
// sessions" kill sessions at once, and they stay dead when the account or
// contact is enabled again.
func TestSessionsKilledByOperator(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ann, bob := w.contactBrowser(w.ann), w.contactBrowser(w.bob)

		w.accA.Status = portico.StatusSuspended
		if err := w.svc.UpdateAccount(ctx, w.owner, w.accA); err != nil {
			t.Fatal(err)
		}
		if ids := w.sessionIDs(w.ann); len(ids) != 0 {
			t.Fatalf("suspending the account left %d sessions", len(ids))
		}
		w.accA.Status = portico.StatusActive
		if err := w.svc.UpdateAccount(ctx, w.owner, w.accA); err != nil {
			t.Fatal(err)
		}
		ann.get("/").redirect(t, "/login", "a session of a suspended, then re-activated account")
		bob.get("/").want(t, http.StatusOK, "another account's session")

		ann = w.contactBrowser(w.ann)
		w.ann.Disabled = true
		if err := w.svc.UpdateContact(ctx, w.owner, w.ann); err != nil {
			t.Fatal(err)
		}
		w.ann.Disabled = false
		if err := w.svc.UpdateContact(ctx, w.owner, w.ann); err != nil {
			t.Fatal(err)
		}
		ann.get("/").redirect(t, "/login", "a session of a disabled, then enabled contact")

		ann = w.contactBrowser(w.ann)
		support := w.operator(w.support.Email)
		path := fmt.Sprintf("/contacts/%d/sessions/end", w.ann.ID)
		support.post(path, nil).want(t, http.StatusForbidden, "support ending sessions")
		ann.get("/").want(t, http.StatusOK, "ann after support's refused attempt")
		owner := w.operator(w.owner.Email)
		owner.get(fmt.Sprintf("/contacts/%d/security", w.ann.ID)).want(t, http.StatusOK, "contact security page").has(t, "Go-http-client", "End all sessions")
		owner.post(path, nil).redirect(t, fmt.Sprintf("/contacts/%d/security", w.ann.ID), "owner ending sessions")
		ann.get("/").redirect(t, "/login", "ann after the operator ended her sessions")
		es := w.audited("contact.sessions_end")
		if len(es) != 1 || es[0].AccountID == nil || *es[0].AccountID != w.accA.ID || !strings.HasPrefix(es[0].Actor, "user:") {
			t.Fatalf("operator's session end audited as %+v", es)
		}
		// Ann sees it among her account's activity.
		w.contactBrowser(w.ann).get("/activity").want(t, http.StatusOK, "activity").has(t, "contact.sessions_end", "Support staff")
	})
}

// Panel sessions: idle 15 minutes, absolute 12 hours, rotated at login.
func TestPanelSessionLifetimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		idle, busy := w.operator(w.owner.Email), w.operator(w.owner.Email)
		w.clock.advance(14 * time.Minute)
		idle.get("/").want(t, http.StatusOK, "panel idle 14 minutes")
		busy.get("/").want(t, http.StatusOK, "panel busy")
		w.clock.advance(14 * time.Minute)
		busy.get("/").want(t, http.StatusOK, "panel busy")
		w.clock.advance(2 * time.Minute)
		idle.get("/").redirect(t, "/login", "panel idle 16 minutes")
		for elapsed := 30 * time.Minute; elapsed < 12*time.Hour-10*time.Minute; elapsed += 10 * time.Minute {
			busy.get("/").want(t, http.StatusOK, "busy panel session after "+elapsed.String())
			w.clock.advance(10 * time.Minute)
		}
		w.clock.advance(20 * time.Minute)
		busy.get("/").redirect(t, "/login", "panel session after 12 hours")

		// A new login replaces the session the browser had.
		b := w.operator(w.owner.Email)
		first := b.c.Jar.Cookies(&url.URL{Scheme: "http", Host: panelHost})[0].Value
		b.post("/login", url.Values{"email": {w.owner.Email}, "password": {password}}).redirect(t, "/", "second login")
		thief := w.browser(panelHost)
		thief.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: panelHost}, []*http.Cookie{{Name: "portico_panel", Value: first}})
		thief.get("/").redirect(t, "/login", "the session a new login replaced")
	})
}

// A contact's IP allowlist is checked on every request, not only at login.
func TestContactAllowlistOnEveryRequest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ann := w.contactBrowser(w.ann)
		w.ann.IPAllowlist = []string{"203.0.113.0/24"}
		if err := w.svc.UpdateContact(ctx, w.owner, w.ann); err != nil {
			t.Fatal(err)
		}
		ann.get("/").redirect(t, "/login", "a request from outside the new allowlist")
		w.ann.IPAllowlist = []string{"127.0.0.0/8"}
		if err := w.svc.UpdateContact(ctx, w.owner, w.ann); err != nil {
			t.Fatal(err)
		}
		w.contactBrowser(w.ann).get("/").want(t, http.StatusOK, "inside the allowlist")
	})
}

// An operator user's own IP allowlist guards the panel (at login and on
// every request) and the API; the user cannot save a list that locks out
// the address they are on.
func TestOperatorAllowlist(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, worldOptions{trustedProxies: []string{"127.0.0.1/32"}})
		from := func(b *browser, ip string) *browser { b.header.Set("X-Forwarded-For", ip); return b }
		owner := from(w.browser(panelHost), "203.0.113.5")
		owner.post("/login", url.Values{"email": {w.owner.Email}, "password": {password}}).redirect(t, "/", "owner login")
		owner.post("/security/ip-allowlist", url.Values{"ip_allowlist": {"198.51.100.0/24"}}).want(t, http.StatusUnprocessableEntity, "a list without the current address").
			has(t, "lock yourself out")
		owner.post("/security/ip-allowlist", url.Values{"ip_allowlist": {"not an address"}}).want(t, http.StatusUnprocessableEntity, "junk")
		owner.post("/security/ip-allowlist", url.Values{"ip_allowlist": {"203.0.113.0/24\n"}}).redirect(t, "/security", "saving the allowlist")
		owner.get("/").want(t, http.StatusOK, "from inside")
		from(owner, "198.51.100.1").get("/").redirect(t, "/login", "the same session from outside")
		from(w.browser(panelHost), "198.51.100.1").post("/login", url.Values{"email": {w.owner.Email}, "password": {password}}).
			want(t, http.StatusUnauthorized, "login from outside")
		api := from(w.browser(panelHost), "198.51.100.1")
		api.header.Set("Authorization", "Bearer "+w.ownerAPI)
		api.get("/api/v1/customers").want(t, http.StatusUnauthorized, "API from outside")
		from(api, "203.0.113.77").get("/api/v1/customers").want(t, http.StatusOK, "API from inside")
		if es := w.audited("user.ip_allowlist"); len(es) != 1 || es[0].Detail != "203.0.113.0/24" {
			t.Fatalf("allowlist change audited as %+v", es)
		}
	})
}
