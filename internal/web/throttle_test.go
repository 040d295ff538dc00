package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// wantThrottled fails unless p is an immediate 429 with Retry-After.
func wantThrottled(t *testing.T, p page, what string, retry string) {
	t.Helper()
	if p.Status != http.StatusTooManyRequests {
		t.Fatalf("%s: status %d, want 429\n%s", what, p.Status, p.Body)
	}
	if got := p.Header.Get("Retry-After"); got != retry {
		t.Fatalf("%s: Retry-After %q, want %q", what, got, retry)
	}
}

// Failed portal logins are throttled by the email as typed, whoever it
// names: five failures, then refusals of 1 minute doubling to 15, answered
// at once (no password hashing) with 429 and Retry-After, alike for an
// existing, unknown, disabled or pending login. A success clears the count;
// nothing locks for good.
func TestPortalLoginThrottleByEmail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Each email is tried from its own address (X-Forwarded-For from
		// the trusted test client), so the per-address limit stays out of
		// the way.
		w := newWorld(t, db, worldOptions{trustedProxies: []string{"127.0.0.1/32"}})
		dan := w.contact(w.accB, "dan@initech.example")
		dan.Disabled = true
		if err := w.svc.UpdateContact(ctx, w.owner, dan); err != nil {
			t.Fatal(err)
		}
		pending := w.account(portico.KindCustomer, "Pending Co")
		pam := w.contact(pending, "pam@pending.example")
		pending.Status = portico.StatusPendingApproval
		if err := w.svc.UpdateAccount(ctx, w.owner, pending); err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for i, email := range []string{w.ann.Email, "nobody@nowhere.example", dan.Email, pam.Email} {
			b := w.browser(acmeHost)
			b.header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
			for n := 1; n <= 5; n++ {
				b.post("/login", url.Values{"email": {email}, "password": {badPassword}}).want(t, http.StatusUnauthorized, fmt.Sprintf("%s failure %d", email, n))
			}
			before := w.svc.Hasher.Done()
			p := b.post("/login", url.Values{"email": {strings.ToUpper(email) + " "}, "password": {password}})
			wantThrottled(t, p, email+" after 5 failures, as typed in capitals", "60")
			if w.svc.Hasher.Done() != before {
				t.Fatalf("%s: a throttled attempt hashed a password", email)
			}
			p.has(t, "Too many attempts. Please try again in 1 minute.")
			bodies = append(bodies, strings.ReplaceAll(p.Body, strings.ToUpper(email)+" ", "EMAIL"))
		}
		for i, b := range bodies[1:] {
			if b != bodies[0] {
				t.Errorf("throttled answer %d differs from the first: throttling tells logins apart\n%s\n---\n%s", i+1, b, bodies[0])
			}
		}
		// Another email from the same address is not refused (the per-
		// address limit is higher).
		w.browser(acmeHost).post("/login", url.Values{"email": {w.bob.Email}, "password": {password}}).redirect(t, "/", "bob, meanwhile")

		w.clock.advance(61 * time.Second)
		b := w.browser(acmeHost)
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {badPassword}}).want(t, http.StatusUnauthorized, "sixth failure")
		wantThrottled(t, b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}), "after the sixth failure", "120")
		w.clock.advance(121 * time.Second)
		b.post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).redirect(t, "/", "the right password once the window ends")
		// The success cleared the count: five more failures are free again.
		for i := 1; i <= 5; i++ {
			w.browser(acmeHost).post("/login", url.Values{"email": {w.ann.Email}, "password": {badPassword}}).want(t, http.StatusUnauthorized, "failure after success")
		}
		// The failure that starts a window is logged as such, once: a flood
		// of refused attempts costs no writes.
		got := w.audited("contact.login")
		if got[0].Outcome != "throttled" || got[0].Detail != "further attempts refused for 1m0s" || got[1].Outcome != "denied" {
			t.Errorf("last login entries %+v %+v", got[0], got[1])
		}
		for range 3 {
			w.browser(acmeHost).post("/login", url.Values{"email": {w.ann.Email}, "password": {password}}).want(t, http.StatusTooManyRequests, "blocked again")
		}
		if again := w.audited("contact.login"); len(again) != len(got) {
			t.Errorf("refused attempts wrote %d audit entries", len(again)-len(got))
		}
	})
}

// One address spraying many emails is refused after 20 failures, whatever
// email it tries next; another address is not. (The test server sees
// every request from 127.0.0.1, trusted as a proxy here, so
// X-Forwarded-For stands for the client.)
func TestLoginThrottleByAddress(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, worldOptions{trustedProxies: []string{"127.0.0.1/32"}})
		from := func(ip, host string) *browser {
			b := w.browser(host)
			b.header.Set("X-Forwarded-For", ip)
			return b
		}
		for _, host := range []string{acmeHost, panelHost} {
			sprayer := from("198.51.100.7", host)
			for i := range 20 {
				email := fmt.Sprintf("guess%d@example.com", i)
				sprayer.post("/login", url.Values{"email": {email}, "password": {badPassword}}).want(t, http.StatusUnauthorized, host+" spray "+email)
			}
			wantThrottled(t, sprayer.post("/login", url.Values{"email": {"fresh@example.com"}, "password": {badPassword}}), host+" 21st email from one address", "60")
			other := from("198.51.100.8", host)
			if p := other.post("/login", url.Values{"email": {"fresh@example.com"}, "password": {badPassword}}); p.Status != http.StatusUnauthorized {
				t.Errorf("%s: another address was refused too: %d", host, p.Status)
			}
		}
	})
}

// The control panel's login is throttled the same way, by typed email.
func TestPanelLoginThrottleByEmail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, email := range []string{w.owner.Email, "nobody@operator.example"} {
			b := w.browser(panelHost)
			for range 5 {
				b.post("/login", url.Values{"email": {email}, "password": {badPassword}}).want(t, http.StatusUnauthorized, "panel failure")
			}
			p := b.post("/login", url.Values{"email": {email}, "password": {password}})
			wantThrottled(t, p, "panel "+email, "60")
			p.has(t, "Too many attempts")
		}
		w.clock.advance(time.Minute)
		w.operator(w.owner.Email).get("/").want(t, http.StatusOK, "owner after the window")
	})
}

// Reset requests are limited per typed address (three an hour) and per
// client address (five per ten minutes), so the form floods no mailbox;
// the answer stays the same whether or not the address has a login.
func TestResetAndSignupThrottle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, worldOptions{trustedProxies: []string{"127.0.0.1/32"}})
		from := func(ip string) *browser {
			b := w.browser(acmeHost)
			b.header.Set("X-Forwarded-For", ip)
			return b
		}
		for i := range 3 {
			from(fmt.Sprintf("198.51.100.%d", i+1)).post("/forgot", url.Values{"email": {w.ann.Email}}).want(t, http.StatusOK, "reset request")
		}
		p := from("198.51.100.50").post("/forgot", url.Values{"email": {w.ann.Email}})
		if p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" {
			t.Fatalf("fourth reset for one address in an hour: %d", p.Status)
		}
		if n := len(w.audited("contact.reset_request")); n != 3 {
			t.Fatalf("%d reset requests went through, want 3", n)
		}
		sprayer := from("198.51.100.99")
		for i := range 5 {
			sprayer.post("/forgot", url.Values{"email": {fmt.Sprintf("x%d@example.com", i)}}).want(t, http.StatusOK, "reset from one address")
		}
		wantThrottled(t, sprayer.post("/forgot", url.Values{"email": {"y@example.com"}}), "sixth reset from one address", "120")

		// Signup: three per typed address per hour, whatever the address.
		form := func(company string) url.Values {
			return url.Values{"company_name": {company}, "name": {"Sam"}, "email": {"sam@new.example"},
				"password": {"a long enough passphrase"}, "currency": {"USD"}, "accept_terms": {"1"}}
		}
		for i := range 3 {
			from(fmt.Sprintf("192.0.2.%d", i+1)).post("/signup", form(fmt.Sprintf("New Co %d", i))).want(t, http.StatusOK, "signup")
		}
		p = from("192.0.2.99").post("/signup", form("New Co 9"))
		if p.Status != http.StatusTooManyRequests {
			t.Fatalf("fourth signup for one email: %d", p.Status)
		}
	})
}

// A login flood gets 429 with Retry-After from the bounded hasher while
// every other page stays fast; an unknown email costs one (dummy) hash,
// like a wrong password; and a hash made with old parameters is replaced
// at the next login.
func TestHashingBoundsAndTiming(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ann := w.contactBrowser(w.ann)
		cheap := w.svc.Hasher
		w.svc.Hasher = auth.NewHasherLimited(auth.Params{Time: 1, Memory: 64, Threads: 1}, 1, 0)
		release, err := w.svc.Hasher.Reserve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		p := w.browser(acmeHost).post("/login", url.Values{"email": {w.bob.Email}, "password": {password}})
		wantThrottled(t, p, "login while every hashing slot is busy", "1")
		w.browser(panelHost).post("/login", url.Values{"email": {w.owner.Email}, "password": {password}}).want(t, http.StatusTooManyRequests, "panel login while busy")
		ann.get("/").want(t, http.StatusOK, "dashboard while logins are refused")
		w.browser(acmeHost).get("/login").want(t, http.StatusOK, "login page while logins are refused")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("refusals and pages took %v under a saturated hasher", d)
		}
		release()
		w.svc.Hasher = cheap

		// Every kind of refusal costs exactly one verification.
		for _, email := range []string{"nobody@nowhere.example", w.bob.Email} {
			before := cheap.Done()
			w.browser(acmeHost).post("/login", url.Values{"email": {email}, "password": {badPassword}}).want(t, http.StatusUnauthorized, email)
			if n := cheap.Done() - before; n != 1 {
				t.Errorf("login as %s did %d hash operations, want 1 (a dummy for unknown users)", email, n)
			}
		}

		// Rehash: a hash with other parameters is replaced at login.
		w.svc.Hasher = auth.NewHasher(auth.Params{Time: 1, Memory: 128, Threads: 1})
		w.contactBrowser(w.bob)
		c, err := db.Read().FindContactByID(ctx, w.bob.ID)
		if err != nil || !strings.HasPrefix(c.PasswordHash, "$argon2id$v=19$m=128,t=1,p=1$") {
			t.Fatalf("hash after login with new parameters: %q, %v", c.PasswordHash, err)
		}
		w.contactBrowser(w.bob) // and the new hash logs in
	})
}
