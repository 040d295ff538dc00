package store

import (
	"context"
	"time"
)

// AuditEntry records who did what, when, from where and with what outcome.
// Secrets never go in Detail.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Actor   string // "user:3 ops@example.com", "contact:9 …", "system"
	Action  string // contact.create, account.approve, login.failed, …
	Target  string // "contact:9"
	IP      string
	Outcome string // ok, denied, failed
	Detail  string
}

// Audit appends an entry to the audit log.
func (q *Q) Audit(ctx context.Context, e AuditEntry) error {
	if e.Outcome == "" {
		e.Outcome = "ok"
	}
	e.At = q.now
	_, err := q.exec(ctx, `INSERT INTO audit_log (at, actor, action, target, ip, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.At, e.Actor, e.Action, e.Target, e.IP, e.Outcome, e.Detail)
	return err
}

// FindAuditEntries lists the log newest first; before is a keyset cursor
// (0 for the first page).
func (q *Q) FindAuditEntries(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := q.query(ctx, `SELECT id, at, actor, action, target, ip, outcome, detail FROM audit_log
		WHERE id < ? ORDER BY id DESC LIMIT ?`, before, pageLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.IP, &e.Outcome, &e.Detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
