package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"portico/internal/portico"
)

// DNSCheck is the outcome of one DNS check of a domain.
type DNSCheck struct {
	Status string // a portico.DNS* status; ignored when LookupFailed
	Detail string
	// LookupFailed means the resolver did not answer: the domain keeps its
	// status (a resolver outage must not unverify anyone) and only the
	// detail and the times change.
	LookupFailed bool
	Next         time.Time // when the periodic check should look again
}

// DNSDue is a domain whose periodic DNS check is due.
type DNSDue struct {
	ID     int64
	Domain string
}

// SaveDNSCheck records a check of domain id made for the host name name. A
// check of a name the domain no longer has (renamed meanwhile) is dropped
// with ENOTFOUND. It returns the status before the check; the domains
// change counter moves only when the status changes, since that is what
// certificates and the host map depend on.
func (q *Q) SaveDNSCheck(ctx context.Context, id int64, name string, c DNSCheck) (before string, err error) {
	err = q.queryRow(ctx, `SELECT dns_status FROM domains WHERE id = ? AND domain = ?`, id, name).Scan(&before)
	if err != nil {
		return "", notFound(err, "Domain")
	}
	status := c.Status
	if c.LookupFailed {
		status = before
	}
	var verifiedAt any // NULL keeps the stored value (COALESCE below)
	if status == portico.DNSVerified && !c.LookupFailed {
		verifiedAt = q.now
	}
	if _, err := q.exec(ctx, `UPDATE domains SET dns_status = ?, dns_detail = ?, dns_checked_at = ?,
		dns_verified_at = COALESCE(?, dns_verified_at), dns_next_check_at = ? WHERE id = ?`,
		status, c.Detail, q.now, verifiedAt, c.Next.UTC(), id); err != nil {
		return "", err
	}
	if status != before {
		return before, q.bumpCounter(ctx, "domains")
	}
	return before, nil
}

// ClaimDNSCheck takes the periodic check of a due domain by moving its next
// check to until (a lease), and reports whether it got it. When nodes share
// PostgreSQL only one of them gets each check; if that node dies the check
// is due again when the lease ends.
func (q *Q) ClaimDNSCheck(ctx context.Context, id int64, until time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE domains SET dns_next_check_at = ?
		WHERE id = ? AND (dns_next_check_at IS NULL OR dns_next_check_at <= ?)`, until.UTC(), id, q.now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DomainsDueForDNSCheck lists domains whose periodic check is due, never
// checked first.
func (q *Q) DomainsDueForDNSCheck(ctx context.Context, limit int) ([]DNSDue, error) {
	rows, err := q.query(ctx, `SELECT id, domain FROM domains
		WHERE dns_next_check_at IS NULL OR dns_next_check_at <= ?
		ORDER BY dns_next_check_at IS NOT NULL, dns_next_check_at, id LIMIT ?`, q.now, pageLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DNSDue
	for rows.Next() {
		var d DNSDue
		if err := rows.Scan(&d.ID, &d.Domain); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// forgetVerificationIfRenamed resets what was learnt about a domain's DNS
// and certificate when its host name changes: the new name must verify
// again, and the old name's certificates go (UpdateDomain resets the status
// itself).
func (q *Q) forgetVerificationIfRenamed(ctx context.Context, id int64, newName string) error {
	var old string
	err := q.queryRow(ctx, `SELECT domain FROM domains WHERE id = ?`, id).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) || err == nil && old == newName {
		return nil // not found is reported by the update itself
	}
	if err != nil {
		return err
	}
	if _, err := q.exec(ctx, `UPDATE domains SET dns_checked_at = NULL, dns_detail = '', dns_verified_at = NULL,
		dns_next_check_at = NULL, `+tlsResetColumns+` WHERE id = ?`, id); err != nil {
		return err
	}
	return q.deleteStoredCertificates(ctx, old)
}
