package store

import (
	"context"
	"database/sql"
	"strings"

	"portico/internal/portico"
)

const domainColumns = `id, domain, brand_name, customer_signup, carrier_signup, signup_credit_limit,
	currencies, template_account_id, access, primary_color, footer, custom_css,
	logo IS NOT NULL, logo_type, smtp_host, smtp_port, smtp_username, smtp_from, smtp_insecure,
	dns_status, dns_checked_at, dns_detail, dns_verified_at,
	tls_status, tls_source, tls_not_after, tls_issuer, tls_error, tls_error_at, created_at, updated_at`

func scanDomain(row scanner) (*portico.Domain, error) {
	var d portico.Domain
	var currencies, access string
	var tmpl sql.NullInt64
	var checked, verified, notAfter, errAt sql.NullTime
	err := row.Scan(&d.ID, &d.Domain, &d.BrandName, &d.CustomerSignup, &d.CarrierSignup, &d.SignupCreditLimit,
		&currencies, &tmpl, &access, &d.PrimaryColor, &d.Footer, &d.CustomCSS,
		&d.HasLogo, &d.LogoType, &d.SMTP.Host, &d.SMTP.Port, &d.SMTP.Username, &d.SMTP.From, &d.SMTP.Insecure,
		&d.DNSStatus, &checked, &d.DNSDetail, &verified,
		&d.TLS.Status, &d.TLS.Source, &notAfter, &d.TLS.Issuer, &d.TLS.LastError, &errAt, &d.CreatedAt, &d.UpdatedAt)
	if err != nil {
		return nil, err
	}
	d.TemplateAccountID = intPtr(tmpl)
	d.DNSCheckedAt, d.DNSVerifiedAt = timePtr(checked), timePtr(verified)
	d.TLS.NotAfter, d.TLS.LastErrorAt = timePtr(notAfter), timePtr(errAt)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	if err := jsonScan(currencies, &d.Currencies); err != nil {
		return nil, err
	}
	if err := jsonScan(access, &d.Access); err != nil {
		return nil, err
	}
	return &d, nil
}

const domainTaken = "This domain is already configured."

// CreateDomain inserts d and sets its ID and timestamps. smtpPasswordEnc is
// the encrypted SMTP password, or nil.
func (q *Q) CreateDomain(ctx context.Context, d *portico.Domain, smtpPasswordEnc []byte) error {
	d.CreatedAt, d.UpdatedAt = q.now, q.now
	d.DNSStatus = portico.DNSUnchecked
	err := q.queryRow(ctx, `INSERT INTO domains (domain, brand_name, customer_signup, carrier_signup,
		signup_credit_limit, currencies, template_account_id, access, primary_color, footer, custom_css,
		smtp_host, smtp_port, smtp_username, smtp_password_enc, smtp_from, smtp_insecure,
		dns_status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.Domain, d.BrandName, d.CustomerSignup, d.CarrierSignup, d.SignupCreditLimit,
		jsonText(d.Currencies), nullInt(d.TemplateAccountID), jsonText(d.Access), d.PrimaryColor, d.Footer, d.CustomCSS,
		d.SMTP.Host, d.SMTP.Port, d.SMTP.Username, smtpPasswordEnc, d.SMTP.From, d.SMTP.Insecure,
		d.DNSStatus, d.CreatedAt, d.UpdatedAt).Scan(&d.ID)
	if err := conflictErr(err, "domain", domainTaken, "The template account does not exist."); err != nil {
		return err
	}
	return q.bumpCounter(ctx, "domains")
}

// UpdateDomain saves every editable field of d. When keepSMTPPassword is
// true the stored password stays as it is (the password is write-only, so
// an edit form that leaves it blank means "unchanged").
func (q *Q) UpdateDomain(ctx context.Context, d *portico.Domain, smtpPasswordEnc []byte, keepSMTPPassword bool) error {
	d.UpdatedAt = q.now
	if err := q.forgetVerificationIfRenamed(ctx, d.ID, d.Domain); err != nil {
		return err
	}
	err := q.execOne(ctx, "Domain", `UPDATE domains SET domain = ?, brand_name = ?, customer_signup = ?,
		carrier_signup = ?, signup_credit_limit = ?, currencies = ?, template_account_id = ?, access = ?,
		primary_color = ?, footer = ?, custom_css = ?, smtp_host = ?, smtp_port = ?, smtp_username = ?,
		smtp_password_enc = CASE WHEN ? THEN smtp_password_enc ELSE ? END,
		smtp_from = ?, smtp_insecure = ?,
		dns_status = CASE WHEN domain = ? THEN dns_status ELSE 'unchecked' END,
		updated_at = ? WHERE id = ?`,
		d.Domain, d.BrandName, d.CustomerSignup, d.CarrierSignup, d.SignupCreditLimit,
		jsonText(d.Currencies), nullInt(d.TemplateAccountID), jsonText(d.Access), d.PrimaryColor, d.Footer, d.CustomCSS,
		d.SMTP.Host, d.SMTP.Port, d.SMTP.Username, keepSMTPPassword, smtpPasswordEnc, d.SMTP.From, d.SMTP.Insecure,
		d.Domain, d.UpdatedAt, d.ID)
	if err := conflictErr(err, "domain", domainTaken, "The template account does not exist."); err != nil {
		return err
	}
	return q.bumpCounter(ctx, "domains")
}

// SetDomainLogo stores (or, with nil data, removes) a brand's logo.
func (q *Q) SetDomainLogo(ctx context.Context, id int64, data []byte, contentType string) error {
	if data == nil {
		contentType = ""
	}
	if err := q.execOne(ctx, "Domain", `UPDATE domains SET logo = ?, logo_type = ?, updated_at = ? WHERE id = ?`,
		data, contentType, q.now, id); err != nil {
		return err
	}
	return q.bumpCounter(ctx, "domains")
}

// DomainLogo returns a brand's logo bytes and content type.
func (q *Q) DomainLogo(ctx context.Context, id int64) ([]byte, string, error) {
	var data []byte
	var ct string
	err := q.queryRow(ctx, `SELECT logo, logo_type FROM domains WHERE id = ? AND logo IS NOT NULL`, id).Scan(&data, &ct)
	return data, ct, notFound(err, "Logo")
}

// DomainSMTPPassword returns the encrypted SMTP password of a brand (for the
// mail worker only), or nil.
func (q *Q) DomainSMTPPassword(ctx context.Context, id int64) ([]byte, error) {
	var enc []byte
	err := q.queryRow(ctx, `SELECT smtp_password_enc FROM domains WHERE id = ?`, id).Scan(&enc)
	return enc, notFound(err, "Domain")
}

// DeleteDomain removes a domain. A domain that accounts still use cannot be
// deleted: their contacts would lose their login page.
func (q *Q) DeleteDomain(ctx context.Context, id int64) error {
	if err := q.forgetCertificates(ctx, id); err != nil {
		return err
	}
	err := q.execOne(ctx, "Domain", `DELETE FROM domains WHERE id = ?`, id)
	if err := conflictErr(err, "domain", domainTaken, "Accounts still use this domain: move them to another domain first."); err != nil {
		return err
	}
	return q.bumpCounter(ctx, "domains")
}

// FindDomainByID returns one domain.
func (q *Q) FindDomainByID(ctx context.Context, id int64) (*portico.Domain, error) {
	d, err := scanDomain(q.queryRow(ctx, `SELECT `+domainColumns+` FROM domains WHERE id = ?`, id))
	return d, notFound(err, "Domain")
}

// DomainFilter selects domains for listing.
type DomainFilter struct {
	Search string
	After  int64
	Limit  int
}

// FindDomains lists domains by id, a page at a time.
func (q *Q) FindDomains(ctx context.Context, f DomainFilter) ([]*portico.Domain, error) {
	rows, err := q.query(ctx, `SELECT `+domainColumns+` FROM domains
		WHERE id > ? AND (? = '' OR domain LIKE ? OR LOWER(brand_name) LIKE ?)
		ORDER BY id LIMIT ?`,
		f.After, f.Search, likePattern(f.Search), likePattern(f.Search), pageLimit(f.Limit))
	return collect(rows, err, scanDomain)
}

// AllDomains returns every domain (for the in-memory host map).
func (q *Q) AllDomains(ctx context.Context) ([]*portico.Domain, error) {
	rows, err := q.query(ctx, `SELECT `+domainColumns+` FROM domains ORDER BY id`)
	return collect(rows, err, scanDomain)
}

// ChangeCounter returns the counter bumped by every write to the named
// table, so other nodes can tell cheaply whether to reload.
func (q *Q) ChangeCounter(ctx context.Context, name string) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT counter FROM change_counters WHERE name = ?`, name).Scan(&n)
	return n, err
}

func (q *Q) bumpCounter(ctx context.Context, name string) error {
	_, err := q.exec(ctx, `UPDATE change_counters SET counter = counter + 1 WHERE name = ?`, name)
	return err
}

// likePattern makes a case-insensitive substring pattern; callers compare it
// with LOWER(column). LIKE wildcards typed by users are matched literally
// by dropping them, which is good enough for a search box.
func likePattern(s string) string {
	r := strings.NewReplacer("%", "", "_", "", "\\", "")
	return "%" + strings.ToLower(r.Replace(s)) + "%"
}
