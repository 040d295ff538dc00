package store_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// clockOf fixes db's clock at a moment the test moves.
func clockOf(db *store.DB) *time.Time {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	return &now
}

// Five free failures, then a refusal of 1 minute that doubles with each
// further failure up to 15 minutes; failures are forgotten after a quiet
// day and cleared by a success. Counters live in the database, so two
// nodes (two handles on one database) share them.
func TestThrottleWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := clockOf(db)
		rule := store.ThrottleRule{Free: 5, Base: time.Minute, Cap: 15 * time.Minute, Forget: 24 * time.Hour}
		fail := func() time.Duration {
			t.Helper()
			var w time.Duration
			if err := db.Write(ctx, func(q *store.Q) (err error) { w, err = q.ThrottleFail(ctx, "k", rule); return err }); err != nil {
				t.Fatal(err)
			}
			return w
		}
		blocked := func() time.Duration {
			t.Helper()
			w, err := db.Read().ThrottleBlocked(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		for i := 1; i <= 4; i++ {
			if w := fail(); w != 0 || blocked() != 0 {
				t.Fatalf("failure %d refused the key for %v", i, w)
			}
		}
		want := []time.Duration{1, 2, 4, 8, 15, 15}
		for i, m := range want {
			if w := fail(); w != m*time.Minute {
				t.Fatalf("failure %d: window %v, want %v", i+5, w, m*time.Minute)
			}
			if b := blocked(); b != m*time.Minute {
				t.Fatalf("after failure %d: blocked %v, want %v", i+5, b, m*time.Minute)
			}
			*now = now.Add(m*time.Minute - time.Second)
			if blocked() != time.Second {
				t.Fatalf("window %d ended early", i)
			}
			*now = now.Add(time.Second)
			if blocked() != 0 {
				t.Fatalf("window %d did not end: no lock is permanent", i)
			}
		}
		*now = now.Add(25 * time.Hour)
		if w := fail(); w != 0 {
			t.Fatalf("failures were not forgotten after a quiet day: window %v", w)
		}
		for range 4 {
			fail()
		}
		if err := db.Write(ctx, func(q *store.Q) error { return q.ThrottleClear(ctx, "k") }); err != nil {
			t.Fatal(err)
		}
		if w := fail(); w != 0 {
			t.Fatalf("a clear did not reset the count: window %v", w)
		}

		// Concurrent failures (as from several nodes) are all counted.
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := db.Write(ctx, func(q *store.Q) error { _, err := q.ThrottleFail(ctx, "race", rule); return err }); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var w time.Duration
		db.Write(ctx, func(q *store.Q) (err error) { w, err = q.ThrottleFail(ctx, "race", rule); return err })
		if w != 64*time.Minute && w != 15*time.Minute {
			t.Fatalf("11th concurrent failure: window %v, want the cap (all 10 counted)", w)
		}
	})
}

// The scoped handle ends and lists only its own account's sessions and
// audit entries, whatever ids it is given.
func TestAccountScopeSessionsAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var a, b *portico.Account
		var ca, cb *portico.Contact
		sa, sb := &store.Session{Kind: store.SessionPortal}, &store.Session{Kind: store.SessionPortal}
		err := db.Write(ctx, func(q *store.Q) error {
			d := newDomain("portal.acme.example")
			if err := q.CreateDomain(ctx, d, nil); err != nil {
				return err
			}
			a = &portico.Account{Kind: portico.KindCustomer, Name: "Globex", Status: portico.StatusActive, Currency: "USD", DomainID: &d.ID}
			b = &portico.Account{Kind: portico.KindCustomer, Name: "Initech", Status: portico.StatusActive, Currency: "USD", DomainID: &d.ID}
			for _, acc := range []*portico.Account{a, b} {
				if err := q.CreateAccount(ctx, acc); err != nil {
					return err
				}
			}
			ca = &portico.Contact{AccountID: a.ID, Name: "Ann", Email: "ann@a.example", TimeZone: "UTC", Language: "en"}
			cb = &portico.Contact{AccountID: b.ID, Name: "Bob", Email: "bob@b.example", TimeZone: "UTC", Language: "en"}
			for _, c := range []*portico.Contact{ca, cb} {
				if err := q.CreateContact(ctx, c); err != nil {
					return err
				}
			}
			sa.ContactID, sa.DomainID, sa.ExpiresAt, sa.UserAgent = &ca.ID, &d.ID, q.Now().Add(time.Hour), "Mozilla/5.0 \xff broken"
			sb.ContactID, sb.DomainID, sb.ExpiresAt = &cb.ID, &d.ID, q.Now().Add(time.Hour)
			if err := q.CreateSession(ctx, "hash-a", sa); err != nil {
				return err
			}
			if err := q.CreateSession(ctx, "hash-b", sb); err != nil {
				return err
			}
			if err := q.Audit(portico.WithClient(ctx, portico.Client{IP: "203.0.113.7", UserAgent: "UA/1"}),
				store.AuditEntry{Actor: "user:1 x", Action: "customer.update", Target: "customer:" + itoa(a.ID)}); err != nil {
				return err
			}
			return q.Audit(ctx, store.AuditEntry{Actor: "user:1 x", Action: "customer.update", Target: "customer:" + itoa(b.ID)})
		})
		if err != nil {
			t.Fatal(err)
		}
		scope := db.Read().ForAccount(a.ID)
		if list, err := scope.ContactSessions(ctx, cb.ID); err != nil || len(list) != 0 {
			t.Fatalf("account A listed B's contact's sessions: %v %v", list, err)
		}
		list, err := scope.ContactSessions(ctx, ca.ID)
		if err != nil || len(list) != 1 || list[0].ID != sa.ID || list[0].UserAgent != "Mozilla/5.0  broken" {
			t.Fatalf("own sessions = %+v, %v", list, err)
		}
		err = db.Write(ctx, func(q *store.Q) error { return q.ForAccount(a.ID).EndContactSession(ctx, ca.ID, sb.ID) })
		if portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Fatalf("ending B's session through A: %v, want not found", err)
		}
		err = db.Write(ctx, func(q *store.Q) error { return q.ForAccount(a.ID).EndContactSession(ctx, cb.ID, sb.ID) })
		if portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Fatalf("ending B's session naming B's contact through A: %v, want not found", err)
		}
		if _, err := db.Read().FindSession(ctx, "hash-b", store.SessionPortal, time.Hour); err != nil {
			t.Fatalf("B's session is gone: %v", err)
		}

		entries, err := scope.AuditEntries(ctx, 0, 50)
		if err != nil || len(entries) != 1 || *entries[0].AccountID != a.ID || entries[0].IP != "203.0.113.7" || entries[0].UserAgent != "UA/1" {
			t.Fatalf("A's audit entries = %+v, %v", entries, err)
		}
		other, _ := db.Read().ForAccount(b.ID).AuditEntries(ctx, 0, 50)
		if ok, _ := scope.HasAuditEntry(ctx, other[0].ID); ok {
			t.Fatal("B's audit entry counts as A's")
		}

		n, err := func() (n int64, err error) {
			err = db.Write(ctx, func(q *store.Q) (err error) { n, err = q.DeleteAccountSessions(ctx, a.ID); return err })
			return
		}()
		if err != nil || n != 1 {
			t.Fatalf("account sessions ended: %d, %v", n, err)
		}
		if _, err := db.Read().FindSession(ctx, "hash-b", store.SessionPortal, time.Hour); err != nil {
			t.Fatalf("ending A's sessions ended B's: %v", err)
		}
	})
}

func TestAuditFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := clockOf(db)
		add := func(e store.AuditEntry) {
			t.Helper()
			if err := db.Write(ctx, func(q *store.Q) error { return q.Audit(ctx, e) }); err != nil {
				t.Fatal(err)
			}
		}
		add(store.AuditEntry{Actor: "contact:1 ann@a.example", Action: "contact.login", Target: "domain:1", Outcome: "denied", IP: "198.51.100.1"})
		*now = now.Add(48 * time.Hour)
		add(store.AuditEntry{Actor: "user:1 Ops@x.example", Action: "customer.update", Target: "customer:7"})
		add(store.AuditEntry{Actor: "user:1 Ops@x.example", Action: "contact.create", Target: "contact:3"})
		count := func(f store.AuditFilter) int {
			t.Helper()
			es, err := db.Read().FilterAuditEntries(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
		for name, c := range map[string]struct {
			f    store.AuditFilter
			want int
		}{
			"all":             {store.AuditFilter{}, 3},
			"action prefix":   {store.AuditFilter{Action: "contact."}, 2},
			"exact action":    {store.AuditFilter{Action: "contact.login"}, 1},
			"no such prefix":  {store.AuditFilter{Action: "contact.log"}, 0},
			"actor":           {store.AuditFilter{Actor: "OPS@X"}, 2},
			"account":         {store.AuditFilter{AccountID: 7}, 1},
			"outcome":         {store.AuditFilter{Outcome: "denied"}, 1},
			"ip":              {store.AuditFilter{IP: "198.51.100.1"}, 1},
			"since":           {store.AuditFilter{Since: day}, 2},
			"until":           {store.AuditFilter{Until: day}, 1},
			"like is literal": {store.AuditFilter{Actor: "%"}, 0},
		} {
			if got := count(c.f); got != c.want {
				t.Errorf("%s: %d entries, want %d", name, got, c.want)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Stale throttle keys and expired sessions can be swept.
func TestSweepStaleRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := clockOf(db)
		rule := store.ThrottleRule{Free: 1, Base: time.Minute, Cap: time.Minute, Forget: time.Hour}
		err := db.Write(ctx, func(q *store.Q) error {
			_, err := q.ThrottleFail(ctx, "old", rule)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		*now = now.Add(2 * time.Hour)
		err = db.Write(ctx, func(q *store.Q) error {
			if _, err := q.ThrottleFail(ctx, "new", rule); err != nil {
				return err
			}
			return q.DeleteStaleThrottles(ctx, q.Now().Add(-time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		*now = now.Add(-2 * time.Hour)
		if w, _ := db.Read().ThrottleBlocked(ctx, "old"); w != 0 {
			t.Fatal("a swept key is still blocked")
		}
		*now = now.Add(2 * time.Hour)
		if w, _ := db.Read().ThrottleBlocked(ctx, "new"); w == 0 {
			t.Fatal("a fresh key was swept")
		}
	})
}
