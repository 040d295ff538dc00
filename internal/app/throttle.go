package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
)

// Throttling rules (DESIGN.md "failed logins"). A login is keyed by the
// email as typed, normalised but never looked up, so a refusal says nothing
// about whether the address has a login; and by client address, so one
// address cannot spray guesses over many emails. A refused attempt is
// answered at once with 429 and Retry-After, before any password hashing:
// nothing holds the connection open, and no lock is permanent.
var (
	// Five free failures, then a window of 1 minute doubling to 15.
	ruleLoginEmail = store.ThrottleRule{Free: 5, Base: time.Minute, Cap: 15 * time.Minute, Forget: 24 * time.Hour}
	// Per address: generous enough for an office behind one NAT.
	ruleLoginIP = store.ThrottleRule{Free: 20, Base: time.Minute, Cap: 15 * time.Minute, Forget: time.Hour}
	// Second-factor codes, per login and per address.
	ruleMFA   = store.ThrottleRule{Free: 5, Base: time.Minute, Cap: 15 * time.Minute, Forget: 24 * time.Hour}
	ruleMFAIP = store.ThrottleRule{Free: 20, Base: time.Minute, Cap: 15 * time.Minute, Forget: time.Hour}
	// Forms that send mail to a typed address count every attempt: five
	// per address per ten minutes, and three per typed email per hour.
	ruleMailFormIP    = store.ThrottleRule{Free: 5, Base: 2 * time.Minute, Cap: 15 * time.Minute, Forget: 10 * time.Minute}
	ruleMailFormEmail = store.ThrottleRule{Free: 3, Base: 5 * time.Minute, Cap: 15 * time.Minute, Forget: time.Hour}
)

// throttleKey builds a counter key from its kind and a value; values are
// hashed so the table holds no emails or addresses in clear.
func throttleKey(kind, value string) string {
	sum := sha256.Sum256([]byte(value))
	return kind + ":" + hex.EncodeToString(sum[:12])
}

func emailKey(kind, typed string) string { return throttleKey(kind, portico.NormalizeEmail(typed)) }

// mailFormKeys are the keys a form that mails a typed address counts an
// attempt on: the client address, and the typed address when it is one
// (junk sends no mail, and must not lock out the empty string).
func mailFormKeys(form, ip, email string) []keyRule {
	krs := []keyRule{{throttleKey(form+"-ip", ip), ruleMailFormIP}}
	if portico.ValidateEmail(portico.NormalizeEmail(email)) == "" {
		krs = append(krs, keyRule{emailKey(form+"-email", email), ruleMailFormEmail})
	}
	return krs
}

// throttled returns ETOOMANY when any of keys is refused, naming the
// longest wait.
func (s *Service) throttled(ctx context.Context, keys ...string) error {
	q := s.DB.Read()
	var wait time.Duration
	for _, k := range keys {
		w, err := q.ThrottleBlocked(ctx, k)
		if err != nil {
			return err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return tooMany(wait)
	}
	return nil
}

// tooMany is the answer to a refused attempt.
func tooMany(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	minutes := int(math.Ceil(wait.Minutes()))
	unit := " minutes"
	if minutes == 1 {
		unit = " minute"
	}
	return &portico.Error{Code: portico.ETOOMANY, RetryAfter: max(1, secs),
		Message: "Too many attempts. Please try again in " + strconv.Itoa(minutes) + unit + "."}
}

// keyRule pairs a key with its rule, for counting a failure on several.
type keyRule struct {
	key  string
	rule store.ThrottleRule
}

// countFailure records one failure on every key, inside q's transaction,
// and returns the longest refusal it started (0: none).
func countFailure(ctx context.Context, q *store.Q, krs ...keyRule) (time.Duration, error) {
	var started time.Duration
	for _, kr := range krs {
		w, err := q.ThrottleFail(ctx, kr.key, kr.rule)
		if err != nil {
			return 0, err
		}
		started = max(started, w)
	}
	return started, nil
}

// sweepChance is how often (one in so many) a counted failure also
// clears stale throttle rows and expired sessions, so neither table grows
// without bound and no background job is needed.
const sweepChance = 64

// maybeSweep deletes throttle keys quiet for a day and sessions past their
// absolute expiry, now and then. Best effort: it never fails a request.
func (s *Service) maybeSweep(ctx context.Context) {
	if rand.IntN(sweepChance) != 0 {
		return
	}
	_ = s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.DeleteStaleThrottles(ctx, q.Now().Add(-24*time.Hour)); err != nil {
			return err
		}
		return q.DeleteExpiredSessions(ctx)
	})
}

// countAttempt counts an attempt of a rate-limited form (signup, password
// reset) on its keys, refusing it when any is already refused. The count
// is its own small transaction, committed whatever the form does next.
func (s *Service) countAttempt(ctx context.Context, krs ...keyRule) error {
	keys := make([]string, len(krs))
	for i, kr := range krs {
		keys[i] = kr.key
	}
	if err := s.throttled(ctx, keys...); err != nil {
		return err
	}
	s.maybeSweep(ctx)
	return s.DB.Write(ctx, func(q *store.Q) error { _, err := countFailure(ctx, q, krs...); return err })
}
