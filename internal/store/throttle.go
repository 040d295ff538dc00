package store

import (
	"context"
	"database/sql"
	"time"
)

// ThrottleRule says how a key is throttled: Free failures are allowed,
// then each further failure refuses the key for a window that starts at
// Base and doubles up to Cap. Failures are forgotten after Forget without
// one, so no lock is permanent.
type ThrottleRule struct {
	Free   int
	Base   time.Duration
	Cap    time.Duration
	Forget time.Duration
}

// window is the refusal that follows the n-th failure (0: none).
func (r ThrottleRule) window(n int) time.Duration {
	if n < r.Free {
		return 0
	}
	w := r.Base
	for i := r.Free; i < n && w < r.Cap; i++ {
		w *= 2
	}
	return min(w, r.Cap)
}

// ThrottleBlocked reports how much longer key is refused (0: not refused).
// The counters live in the database, so every node sharing it enforces the
// same limits.
func (q *Q) ThrottleBlocked(ctx context.Context, key string) (time.Duration, error) {
	var until sql.NullTime
	err := q.queryRow(ctx, `SELECT blocked_until FROM throttles WHERE key = ?`, key).Scan(&until)
	if err == sql.ErrNoRows || err == nil && !until.Valid {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return max(0, until.Time.Sub(q.now)), nil
}

// ThrottleFail counts a failure (or, for rate limits, an attempt) against
// key and returns the refusal it starts (0: none yet). One upsert counts
// it, so concurrent failures on several nodes are all counted.
func (q *Q) ThrottleFail(ctx context.Context, key string, r ThrottleRule) (time.Duration, error) {
	var n int
	err := q.queryRow(ctx, `INSERT INTO throttles (key, failures, last_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN throttles.last_at < ? THEN 1 ELSE throttles.failures + 1 END,
			last_at = excluded.last_at
		RETURNING failures`, key, q.now, q.now.Add(-r.Forget)).Scan(&n)
	if err != nil {
		return 0, err
	}
	w := r.window(n)
	if w == 0 {
		return 0, nil
	}
	_, err = q.exec(ctx, `UPDATE throttles SET blocked_until = ? WHERE key = ?`, q.now.Add(w), key)
	return w, err
}

// ThrottleClear forgets key's failures (a successful login).
func (q *Q) ThrottleClear(ctx context.Context, key string) error {
	_, err := q.exec(ctx, `DELETE FROM throttles WHERE key = ?`, key)
	return err
}

// DeleteStaleThrottles forgets keys with no failure since before and no
// refusal still running.
func (q *Q) DeleteStaleThrottles(ctx context.Context, before time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM throttles WHERE last_at < ? AND (blocked_until IS NULL OR blocked_until < ?)`,
		before, q.now)
	return err
}
