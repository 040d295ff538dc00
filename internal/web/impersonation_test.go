package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

var supportLinkRE = regexp.MustCompile(`href="(http://` + regexp.QuoteMeta(acmeHost) + `[^"]*/support-session\?token=[A-Za-z0-9_-]+)"`)

// supportLink reads the one-time support link the panel shows after "Log
// in as" (a form cannot redirect to another host under the CSP).
func supportLink(t *testing.T, p page) *url.URL {
	t.Helper()
	m := supportLinkRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("impersonate: %d, no support link on the brand's domain:\n%s", p.Status, p.Body)
	}
	u, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// startSupport has the operator in b ask to log in as contact id and
// follows the link onto the brand's domain; it returns the portal browser
// (same cookie jar) in the support session.
func (w *world) startSupport(b *browser, contactID int64) *browser {
	w.t.Helper()
	u := supportLink(w.t, b.post(fmt.Sprintf("/contacts/%d/impersonate", contactID), nil))
	portalB := b.on(acmeHost)
	portalB.get(u.RequestURI()).want(w.t, http.StatusOK, "support link page").has(w.t, "Start support session")
	portalB.post(u.RequestURI(), nil).redirect(w.t, "/", "start support session")
	return portalB
}

// "Log in as contact": audited on the account, bannered on every page,
// ended after 30 minutes, read-only for a read-only role, and never able
// to change the contact's password, second factor or sessions.
func TestImpersonation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		annOwn := w.contactBrowser(w.ann)

		// Support (read-only role): a read-only session.
		sup := w.startSupport(w.operator(w.support.Email), w.ann.ID)
		dash := sup.get("/").want(t, http.StatusOK, "dashboard as ann")
		dash.has(t, "Support session:", "Olive support (support@operator.example)", "is viewing this portal as Contact ann", "Read-only.", "Ends at ")
		sup.get("/balance").want(t, http.StatusOK, "a section").has(t, "Support session:")
		sup.post("/profile", url.Values{"name": {"Hacked"}, "time_zone": {"UTC"}, "language": {"en"}}).want(t, http.StatusForbidden, "read-only support writing")
		sup.post("/password", url.Values{"current_password": {password}, "new_password": {"x long new password"}}).want(t, http.StatusForbidden, "support changing the password")
		if c, _ := db.Read().FindContactByID(ctx, w.ann.ID); c.Name != w.ann.Name {
			t.Fatal("a read-only support session changed the profile")
		}
		annOwn.get("/").want(t, http.StatusOK, "ann's own session is untouched").lacks(t, "Support session:")
		annOwn.get("/sessions").has(t, "Support staff session")
		annOwn.get("/activity").has(t, "impersonation.start", "Support staff, as ann@globex.example")

		// Admin (may write): a writable session, but never credentials.
		adm := w.startSupport(w.operator("admin@operator.example"), w.ann.ID)
		adm.get("/").lacks(t, "Read-only.")
		adm.post("/profile", url.Values{"name": {"Ann Fixed"}, "phone": {""}, "time_zone": {"UTC"}, "language": {"en"}}).redirect(t, "/profile", "admin fixing the profile")
		adm.post("/password", url.Values{"current_password": {password}, "new_password": {"x long new password"}}).want(t, http.StatusForbidden, "admin changing the password")
		adm.post("/security/totp", nil).want(t, http.StatusForbidden, "admin setting up two-factor")
		adm.post("/sessions/end-others", nil).want(t, http.StatusForbidden, "admin ending sessions")
		if es := w.audited("contact.profile"); len(es) != 1 || !strings.Contains(es[0].Actor, "user:") || !strings.Contains(es[0].Actor, " as contact:") {
			t.Fatalf("a change in a support session is audited as %+v", es)
		}

		// Audit: requested in the panel and started in the portal, on the account.
		for _, a := range []string{"contact.impersonate", "impersonation.start"} {
			es := w.audited(a)
			if len(es) != 2 || es[0].AccountID == nil || *es[0].AccountID != w.accA.ID {
				t.Fatalf("%s audited as %+v", a, es)
			}
		}

		// The link works once, and only on its own brand.
		u := supportLink(t, w.operator(w.owner.Email).post(fmt.Sprintf("/contacts/%d/impersonate", w.ann.ID), nil))
		w.browser("other.localhost").get(u.RequestURI()).want(t, http.StatusNotFound, "the link on an unknown host")
		first := w.browser(acmeHost)
		first.post(u.RequestURI(), nil).redirect(t, "/", "first use")
		w.browser(acmeHost).post(u.RequestURI(), nil).want(t, http.StatusNotFound, "second use")

		// Time-limited: 30 minutes at most, however busy.
		for range 3 {
			w.clock.advance(9 * time.Minute)
			sup.get("/").want(t, http.StatusOK, "support session while busy")
			annOwn.get("/").want(t, http.StatusOK, "ann's own session meanwhile")
		}
		w.clock.advance(4 * time.Minute)
		sup.get("/").redirect(t, "/login", "support session after 31 minutes")
		annOwn.get("/").want(t, http.StatusOK, "ann's own session")
	})
}
