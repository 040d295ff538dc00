package portal_test

import (
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// clock is the database's time, moved by the test while the server runs.
type clock struct{ at atomic.Int64 }

func useClock(db *store.DB) *clock {
	c := &clock{}
	c.at.Store(time.Now().UTC().UnixNano())
	db.Now = func() time.Time { return time.Unix(0, c.at.Load()).UTC() }
	return c
}

func (c *clock) advance(d time.Duration) { c.at.Add(int64(d)) }

// Sessions end after 30 idle minutes or 12 hours in all; emailed links
// after 30 minutes (reset) and 24 hours (verify).
func TestSessionAndLinkLifetimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := useClock(db)
		e := newEnv(t, db)
		acme := e.brand("acme.localhost", "Acme Voice", func(d *portico.Domain) { d.CustomerSignup = true })
		c := e.contact(e.account(portico.KindCustomer, "Globex", acme, nil), "ann@globex.example", nil)

		idle := e.browser("acme.localhost")
		idle.login(c.Email, goodPassword)
		busy := e.browser("acme.localhost")
		busy.login(c.Email, goodPassword)
		clk.advance(29 * time.Minute)
		idle.get("/").want(t, http.StatusOK, "a session idle for 29 minutes")
		busy.get("/").want(t, http.StatusOK, "an active session")
		clk.advance(29 * time.Minute)
		busy.get("/").want(t, http.StatusOK, "an active session")
		clk.advance(2 * time.Minute)
		idle.get("/").redirect(t, "/login", "a session idle for 31 minutes")
		for elapsed := time.Hour; elapsed < 11*time.Hour+30*time.Minute; elapsed += 25 * time.Minute {
			busy.get("/").want(t, http.StatusOK, "an active session after "+elapsed.String())
			clk.advance(25 * time.Minute)
		}
		clk.advance(time.Hour)
		busy.get("/").redirect(t, "/login", "an active session after 12 hours")

		b := e.browser("acme.localhost")
		b.post("/forgot", url.Values{"email": {c.Email}})
		reset := e.link(mail.KindPasswordReset, c.Email).RequestURI()
		b.post("/signup", signupForm("Globex Corp", "sam@globex.example"))
		verify := e.link(mail.KindVerifyEmail, "sam@globex.example").RequestURI()
		clk.advance(29 * time.Minute)
		b.get(reset).want(t, http.StatusOK, "reset link after 29 minutes")
		clk.advance(2 * time.Minute)
		b.get(reset).want(t, http.StatusNotFound, "reset link after 31 minutes")
		b.post(reset, url.Values{"password": {"a brand new passphrase"}}).want(t, http.StatusNotFound, "using an expired reset link")
		clk.advance(23 * time.Hour)
		b.get(verify).want(t, http.StatusOK, "verify link after 23.5 hours")
		clk.advance(time.Hour)
		b.post(verify, nil).want(t, http.StatusNotFound, "verify link after 24.5 hours")
	})
}
