package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"portico/internal/portico"
)

// ClaimEmail takes a due message for one sender by moving its next attempt
// to until (a lease), but only if it is still queued and due, and returns
// the claimed message, or nil when it was not there to take. When nodes
// share PostgreSQL the row lock makes every other claimant see the moved
// time and get nil, so a message is handed to SMTP once. If the claimant
// dies, the message is due again when the lease ends.
func (q *Q) ClaimEmail(ctx context.Context, id int64, until time.Time) (*portico.Email, error) {
	e, err := scanEmail(q.queryRow(ctx, `UPDATE emails SET next_attempt_at = ?
		WHERE id = ? AND status = 'queued' AND next_attempt_at <= ?
		RETURNING `+emailColumns, until, id, q.now))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return e, err
}

// DeferEmail puts a queued message off until next without counting an
// attempt, recording why in last_error (for example: no SMTP server is
// configured yet, so nothing was tried).
func (q *Q) DeferEmail(ctx context.Context, id int64, lastError string, next time.Time) error {
	return q.execOne(ctx, "Email", `UPDATE emails SET last_error = ?, next_attempt_at = ?
		WHERE id = ? AND status = 'queued'`, lastError, next, id)
}
