package store

import (
	"context"
	"database/sql"
	"time"

	"portico/internal/portico"
)

const emailColumns = `id, domain_id, brand, kind, to_addr, subject, body_text, body_html,
	secret_enc IS NOT NULL, status, attempts, last_error, next_attempt_at, created_at, sent_at`

func scanEmail(row scanner) (*portico.Email, error) {
	var e portico.Email
	var domain sql.NullInt64
	var sent sql.NullTime
	err := row.Scan(&e.ID, &domain, &e.Brand, &e.Kind, &e.To, &e.Subject, &e.Text, &e.HTML,
		&e.HasSecret, &e.Status, &e.Attempts, &e.LastError, &e.NextAttemptAt, &e.CreatedAt, &sent)
	if err != nil {
		return nil, err
	}
	e.DomainID, e.SentAt = intPtr(domain), timePtr(sent)
	e.NextAttemptAt, e.CreatedAt = e.NextAttemptAt.UTC(), e.CreatedAt.UTC()
	return &e, nil
}

// EnqueueEmail adds a message to the outbox. secretEnc is the encrypted
// secret for SecretPlaceholder, or nil; the plaintext never reaches the
// database.
func (q *Q) EnqueueEmail(ctx context.Context, e *portico.Email, secretEnc []byte) error {
	e.Status, e.CreatedAt, e.NextAttemptAt = portico.EmailQueued, q.now, q.now
	e.HasSecret = secretEnc != nil
	return q.queryRow(ctx, `INSERT INTO emails (domain_id, brand, kind, to_addr, subject, body_text, body_html,
		secret_enc, status, attempts, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`,
		nullInt(e.DomainID), e.Brand, e.Kind, e.To, e.Subject, e.Text, e.HTML, secretEnc, e.Status,
		e.NextAttemptAt, e.CreatedAt).Scan(&e.ID)
}

// DueEmails returns queued messages whose next attempt is due, oldest first.
func (q *Q) DueEmails(ctx context.Context, limit int) ([]*portico.Email, error) {
	rows, err := q.query(ctx, `SELECT `+emailColumns+` FROM emails WHERE status = 'queued' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`, q.now, pageLimit(limit))
	return collect(rows, err, scanEmail)
}

// EmailSecret returns the encrypted secret of a queued message, or nil.
func (q *Q) EmailSecret(ctx context.Context, id int64) ([]byte, error) {
	var enc []byte
	err := q.queryRow(ctx, `SELECT secret_enc FROM emails WHERE id = ?`, id).Scan(&enc)
	return enc, notFound(err, "Email")
}

// MarkEmailSent records delivery and erases the secret for good.
func (q *Q) MarkEmailSent(ctx context.Context, id int64) error {
	return q.execOne(ctx, "Email", `UPDATE emails SET status = 'sent', attempts = attempts + 1, last_error = '',
		sent_at = ?, secret_enc = NULL WHERE id = ?`, q.now, id)
}

// MarkEmailAttemptFailed records a failed attempt. With a next attempt time
// the message stays queued; without one it is failed for good and its
// secret erased (it can never be sent, so it must not linger).
func (q *Q) MarkEmailAttemptFailed(ctx context.Context, id int64, lastError string, next *time.Time) error {
	if next == nil {
		return q.execOne(ctx, "Email", `UPDATE emails SET status = 'failed', attempts = attempts + 1, last_error = ?,
			secret_enc = NULL WHERE id = ?`, lastError, id)
	}
	return q.execOne(ctx, "Email", `UPDATE emails SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
		WHERE id = ?`, lastError, *next, id)
}

// FindEmails lists the email log newest first.
func (q *Q) FindEmails(ctx context.Context, f portico.EmailFilter) ([]*portico.Email, error) {
	before := f.Before
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := q.query(ctx, `SELECT `+emailColumns+` FROM emails WHERE id < ? ORDER BY id DESC LIMIT ?`,
		before, pageLimit(f.Limit))
	return collect(rows, err, scanEmail)
}

// FindEmailByID returns one message of the log.
func (q *Q) FindEmailByID(ctx context.Context, id int64) (*portico.Email, error) {
	e, err := scanEmail(q.queryRow(ctx, `SELECT `+emailColumns+` FROM emails WHERE id = ?`, id))
	return e, notFound(err, "Email")
}
