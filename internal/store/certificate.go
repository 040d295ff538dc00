package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"portico/internal/portico"
)

// This file keeps TLS certificates: certmagic's storage (a small key-value
// tree), its locks, the issuance log behind the hourly limit, each domain's
// certificate status and the operator's uploaded certificates.

// CertStoreEntry describes one stored certmagic value.
type CertStoreEntry struct {
	Path     string
	Size     int64
	Modified time.Time
}

// PutCertValue creates or replaces the value at path.
func (q *Q) PutCertValue(ctx context.Context, path string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := q.exec(ctx, `INSERT INTO cert_store (path, value, modified_at) VALUES (?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET value = excluded.value, modified_at = excluded.modified_at`,
		path, value, q.now)
	return err
}

// CertValue returns the value at path, or ENOTFOUND.
func (q *Q) CertValue(ctx context.Context, path string) ([]byte, time.Time, error) {
	var v []byte
	var mod time.Time
	err := q.queryRow(ctx, `SELECT value, modified_at FROM cert_store WHERE path = ?`, path).Scan(&v, &mod)
	return v, mod.UTC(), notFound(err, "Stored value")
}

// DeleteCertValues deletes the value at path and every value below it
// (path as a directory).
func (q *Q) DeleteCertValues(ctx context.Context, path string) error {
	_, err := q.exec(ctx, `DELETE FROM cert_store WHERE path = ? OR substr(path, 1, ?) = ?`,
		path, len(path)+1, path+"/")
	return err
}

// CertValuesUnder lists the values at or below prefix (every one when
// prefix is ""), by path.
func (q *Q) CertValuesUnder(ctx context.Context, prefix string) ([]CertStoreEntry, error) {
	dir := prefix + "/"
	if prefix == "" {
		dir = ""
	}
	rows, err := q.query(ctx, `SELECT path, length(value), modified_at FROM cert_store
		WHERE path = ? OR substr(path, 1, ?) = ? ORDER BY path`, prefix, len(dir), dir)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CertStoreEntry
	for rows.Next() {
		var e CertStoreEntry
		if err := rows.Scan(&e.Path, &e.Size, &e.Modified); err != nil {
			return nil, err
		}
		e.Modified = e.Modified.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// deleteStoredCertificates removes everything certmagic keeps for one host
// name: certificates and keys from every CA, OCSP staples and challenge
// tokens. Host names hold only [a-z0-9.-], so they need no LIKE escaping.
func (q *Q) deleteStoredCertificates(ctx context.Context, name string) error {
	if name == "" || strings.ContainsAny(name, `%_\`) {
		return nil
	}
	_, err := q.exec(ctx, `DELETE FROM cert_store WHERE path LIKE ? OR path LIKE ? OR path LIKE ?`,
		"certificates/%/"+name+"/%", "ocsp/"+name+"-%", "acme/%/challenge_tokens/"+name+".json")
	return err
}

// forgetCertificates removes the stored certificates of domain id before
// the domain itself is deleted, in the same transaction.
func (q *Q) forgetCertificates(ctx context.Context, id int64) error {
	var name string
	err := q.queryRow(ctx, `SELECT domain FROM domains WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the delete reports not found
	}
	if err != nil {
		return err
	}
	return q.deleteStoredCertificates(ctx, name)
}

// TryCertLock takes the named lock for owner until the given time, when
// nobody holds it or the holder's lease ran out. It reports whether owner
// now holds it. One statement does it, so two nodes racing on PostgreSQL or
// two connections on SQLite cannot both win.
func (q *Q) TryCertLock(ctx context.Context, name, owner string, until time.Time) (bool, error) {
	res, err := q.exec(ctx, `INSERT INTO cert_locks (name, owner, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE cert_locks.expires_at < ?`, name, owner, until.UTC(), q.now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ExtendCertLock moves the lease of a lock owner holds; false means the
// lock was lost (its lease ran out and someone else took it).
func (q *Q) ExtendCertLock(ctx context.Context, name, owner string, until time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE cert_locks SET expires_at = ? WHERE name = ? AND owner = ?`, until.UTC(), name, owner)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseCertLock releases a lock owner holds; releasing a lock held by
// someone else does nothing.
func (q *Q) ReleaseCertLock(ctx context.Context, name, owner string) error {
	_, err := q.exec(ctx, `DELETE FROM cert_locks WHERE name = ? AND owner = ?`, name, owner)
	return err
}

// StartACMEOrder records a new certificate order for name unless limit
// orders were started in the last hour (by any node), and reports whether
// it was recorded. Renewals are recorded but neither limited nor counted:
// the limit guards against floods of new names, and a renewal that waits
// risks an expiry.
func (q *Q) StartACMEOrder(ctx context.Context, name string, renewal bool, limit int) (bool, error) {
	if !renewal && limit > 0 {
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM acme_orders WHERE renewal = FALSE AND started_at > ?`,
			q.now.Add(-time.Hour)).Scan(&n); err != nil {
			return false, err
		}
		if n >= limit {
			return false, nil
		}
	}
	if _, err := q.exec(ctx, `DELETE FROM acme_orders WHERE started_at < ?`, q.now.Add(-7*24*time.Hour)); err != nil {
		return false, err
	}
	_, err := q.exec(ctx, `INSERT INTO acme_orders (name, renewal, started_at) VALUES (?, ?, ?)`, name, renewal, q.now)
	return err == nil, err
}

// tlsResetColumns is the SET list that forgets a domain's certificate.
const tlsResetColumns = `tls_status = 'none', tls_source = '', tls_not_after = NULL, tls_issuer = '',
	tls_error = '', tls_error_at = NULL, tls_cert_pem = '', tls_key_enc = NULL`

// TLSUpdate changes the certificate status of the domain named Name.
type TLSUpdate struct {
	Name     string
	Status   string     // a portico.Cert* state
	NotAfter *time.Time // with CertIssued
	Issuer   string     // with CertIssued
	// Error, when not "", records a failure: LastError and LastErrorAt.
	// With CertIssued and no error, the last error is cleared.
	Error string
}

// SetDomainTLS records what happened to an ACME-managed certificate. It
// does nothing for names that are not portal domains (panel hosts) and for
// domains with an uploaded certificate, whose status is the upload's.
func (q *Q) SetDomainTLS(ctx context.Context, u TLSUpdate) error {
	var err error
	switch {
	case u.Error != "":
		_, err = q.exec(ctx, `UPDATE domains SET tls_status = ?, tls_source = ?, tls_error = ?, tls_error_at = ?
			WHERE domain = ? AND tls_source <> 'uploaded'`, u.Status, portico.CertSourceACME, u.Error, q.now, u.Name)
	case u.Status == portico.CertIssued:
		_, err = q.exec(ctx, `UPDATE domains SET tls_status = ?, tls_source = ?, tls_not_after = ?, tls_issuer = ?,
			tls_error = '', tls_error_at = NULL
			WHERE domain = ? AND tls_source <> 'uploaded'`, u.Status, portico.CertSourceACME, u.NotAfter, u.Issuer, u.Name)
	default:
		_, err = q.exec(ctx, `UPDATE domains SET tls_status = ?, tls_source = ?
			WHERE domain = ? AND tls_source <> 'uploaded'`, u.Status, portico.CertSourceACME, u.Name)
	}
	return err
}

// UploadedCertificate is an operator's own certificate for a domain.
type UploadedCertificate struct {
	DomainID int64
	Domain   string
	CertPEM  string // leaf first, then intermediates
	KeyEnc   []byte // private key PEM, sealed
	NotAfter time.Time
	Issuer   string
}

// SetUploadedCertificate stores the operator's certificate for domain
// c.DomainID; Portico then serves it instead of requesting one.
func (q *Q) SetUploadedCertificate(ctx context.Context, c UploadedCertificate) error {
	if err := q.execOne(ctx, "Domain", `UPDATE domains SET tls_status = ?, tls_source = ?, tls_not_after = ?,
		tls_issuer = ?, tls_error = '', tls_error_at = NULL, tls_cert_pem = ?, tls_key_enc = ?, updated_at = ?
		WHERE id = ?`, portico.CertIssued, portico.CertSourceUploaded, c.NotAfter.UTC(), c.Issuer,
		c.CertPEM, c.KeyEnc, q.now, c.DomainID); err != nil {
		return err
	}
	return q.bumpCounter(ctx, "domains")
}

// DeleteUploadedCertificate removes the operator's certificate of a domain;
// ACME takes over if the domain is verified.
func (q *Q) DeleteUploadedCertificate(ctx context.Context, id int64) error {
	if err := q.execOne(ctx, "Domain", `UPDATE domains SET `+tlsResetColumns+`, updated_at = ?
		WHERE id = ? AND tls_source = 'uploaded'`, q.now, id); err != nil {
		if portico.ErrorCode(err) == portico.ENOTFOUND {
			return portico.Errorf(portico.ENOTFOUND, "This domain has no uploaded certificate.")
		}
		return err
	}
	return q.bumpCounter(ctx, "domains")
}

// UploadedCertificates returns every uploaded certificate, for serving.
func (q *Q) UploadedCertificates(ctx context.Context) ([]UploadedCertificate, error) {
	rows, err := q.query(ctx, `SELECT id, domain, tls_cert_pem, tls_key_enc, tls_not_after, tls_issuer
		FROM domains WHERE tls_source = 'uploaded' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UploadedCertificate
	for rows.Next() {
		var c UploadedCertificate
		var notAfter sql.NullTime
		if err := rows.Scan(&c.DomainID, &c.Domain, &c.CertPEM, &c.KeyEnc, &notAfter, &c.Issuer); err != nil {
			return nil, err
		}
		if notAfter.Valid {
			c.NotAfter = notAfter.Time.UTC()
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DomainsForCertificates returns every domain with only the fields the
// certificate policy reads filled in: ID, Domain, DNSStatus, DNSVerifiedAt,
// TLS.Source and CreatedAt. It skips the brand's look, which can be large.
func (q *Q) DomainsForCertificates(ctx context.Context) ([]*portico.Domain, error) {
	rows, err := q.query(ctx, `SELECT id, domain, dns_status, dns_verified_at, tls_source, created_at FROM domains ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portico.Domain
	for rows.Next() {
		var d portico.Domain
		var verified sql.NullTime
		if err := rows.Scan(&d.ID, &d.Domain, &d.DNSStatus, &verified, &d.TLS.Source, &d.CreatedAt); err != nil {
			return nil, err
		}
		d.DNSVerifiedAt = timePtr(verified)
		out = append(out, &d)
	}
	return out, rows.Err()
}
