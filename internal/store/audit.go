package store

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portico/internal/portico"
)

// AuditEntry records who did what, when, from where and with what outcome.
// Secrets never go in Detail.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // "user:3 ops@example.com", "contact:9 …", "system"
	Action string // contact.create, account.approve, contact.login, …
	Target string // "contact:9"
	// AccountID is the customer or carrier the entry concerns, if any: its
	// contacts see the entry in the portal's activity page.
	AccountID *int64
	IP        string
	UserAgent string
	Outcome   string // ok, denied, failed
	Detail    string
}

// accountTarget matches targets that name an account ("customer:5",
// "carrier:6", "account:7").
var accountTarget = regexp.MustCompile(`^(?:customer|carrier|account):([0-9]+)$`)

// Audit appends an entry to the audit log. The client's address and user
// agent come from the context when the entry names none, and an entry whose
// target is an account concerns that account unless it says otherwise, so
// every use case's entries carry them without threading them through.
func (q *Q) Audit(ctx context.Context, e AuditEntry) error {
	if e.Outcome == "" {
		e.Outcome = "ok"
	}
	c := portico.ClientFrom(ctx)
	if e.IP == "" {
		e.IP = c.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = c.UserAgent
	}
	e.UserAgent = clip(strings.ToValidUTF8(e.UserAgent, ""), maxUserAgent)
	e.Detail = strings.ToValidUTF8(e.Detail, "")
	e.Actor = strings.ToValidUTF8(e.Actor, "")
	if e.AccountID == nil {
		if m := accountTarget.FindStringSubmatch(e.Target); m != nil {
			if id, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				e.AccountID = &id
			}
		}
	}
	e.At = q.now
	_, err := q.exec(ctx, `INSERT INTO audit_log (at, actor, action, target, account_id, ip, user_agent, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.At, e.Actor, e.Action, e.Target, nullInt(e.AccountID), e.IP,
		e.UserAgent, e.Outcome, e.Detail)
	return err
}

// AuditFilter selects audit entries. Empty fields match everything.
type AuditFilter struct {
	Before    int64  // keyset cursor: ids below this (0 = from the newest)
	Action    string // the action, or its prefix when it ends in "."
	Actor     string // substring of the actor, case-insensitive
	AccountID int64
	Outcome   string
	IP        string
	Since     time.Time // at or after
	Until     time.Time // before
	Limit     int
}

const auditColumns = `id, at, actor, action, target, account_id, ip, user_agent, outcome, detail`

func scanAudit(row scanner) (AuditEntry, error) {
	var e AuditEntry
	var account sql.NullInt64
	err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &account, &e.IP, &e.UserAgent, &e.Outcome, &e.Detail)
	e.At = e.At.UTC()
	e.AccountID = intPtr(account)
	return e, err
}

// FindAuditEntries lists the log newest first; before is a keyset cursor
// (0 for the first page).
func (q *Q) FindAuditEntries(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	return q.FilterAuditEntries(ctx, AuditFilter{Before: before, Limit: limit})
}

// FilterAuditEntries lists the entries matching f, newest first.
func (q *Q) FilterAuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	where := []string{"id < ?"}
	before := f.Before
	if before <= 0 {
		before = 1 << 62
	}
	args := []any{before}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where, args = append(where, "SUBSTR(action, 1, ?) = ?"), append(args, utf8.RuneCountInString(f.Action), f.Action)
		} else {
			where, args = append(where, "action = ?"), append(args, f.Action)
		}
	}
	if f.Actor != "" {
		esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(f.Actor))
		where, args = append(where, `LOWER(actor) LIKE ? ESCAPE '\'`), append(args, "%"+esc+"%")
	}
	if f.AccountID != 0 {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if f.Outcome != "" {
		where, args = append(where, "outcome = ?"), append(args, f.Outcome)
	}
	if f.IP != "" {
		where, args = append(where, "ip = ?"), append(args, f.IP)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.Until.UTC())
	}
	args = append(args, pageLimit(f.Limit))
	rows, err := q.query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ?`, args...)
	return collect(rows, err, scanAudit)
}
