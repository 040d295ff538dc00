package app

import (
	"context"
	"fmt"
	"time"

	"portico/internal/certs"
	"portico/internal/portico"
	"portico/internal/store"
)

// DNSRecord is a DNS record the operator's customer must create.
type DNSRecord struct {
	Type  string // always CNAME
	Name  string // the portal domain
	Value string // the portal host
}

// DomainTLSStatus is everything the panel shows about a domain's DNS and
// certificate: the record to create, the DNS state, the certificate state
// and what to fix.
type DomainTLSStatus struct {
	Domain *portico.Domain
	// Record is the CNAME to create; empty when --portal-host is not set.
	Record DNSRecord
	// DNSChecks says whether DNS checks run at all (--portal-host set).
	DNSChecks bool
	// HTTPS says whether Portico serves HTTPS (--https).
	HTTPS bool
	// CertificateAllowed: the domain is verified (or within the grace
	// period), so Portico may hold a certificate for it.
	CertificateAllowed bool
	// GraceEndsAt is set when the domain was verified but is not now: its
	// certificate is dropped at that time unless the CNAME is fixed.
	GraceEndsAt *time.Time
	// Serving: HTTPS for this domain works on this node right now.
	Serving bool
	// Certificate is the stored certificate state (Status is one of
	// portico.CertNone, CertPending, CertIssued, CertFailed).
	Certificate portico.DomainTLS
	// Summary is one line for the panel: "No certificate: waiting for DNS
	// verification", "Requesting a certificate", "Issued until 2027-02-01",
	// "Failed: …".
	Summary string
}

// DomainTLSStatus returns the DNS and certificate state of one domain.
func (s *Service) DomainTLSStatus(ctx context.Context, id int64) (*DomainTLSStatus, error) {
	d, err := s.DB.Read().FindDomainByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.DomainTLSStatusOf(ctx, d), nil
}

// DomainTLSStatusOf is DomainTLSStatus for a domain already read (a list).
func (s *Service) DomainTLSStatusOf(ctx context.Context, d *portico.Domain) *DomainTLSStatus {
	now := s.DB.Now()
	st := &DomainTLSStatus{Domain: d, DNSChecks: s.TLS.DNS != nil && s.TLS.PortalHost != "", HTTPS: s.TLS.Certs != nil,
		CertificateAllowed: d.CertificateAllowed(now, s.TLS.grace()), Certificate: d.TLS}
	if s.TLS.PortalHost != "" {
		st.Record = DNSRecord{Type: "CNAME", Name: d.Domain, Value: s.TLS.PortalHost}
	}
	if d.DNSStatus != portico.DNSVerified && d.DNSVerifiedAt != nil {
		end := d.DNSVerifiedAt.Add(s.TLS.grace())
		st.GraceEndsAt = &end
	}
	if s.TLS.Certs != nil {
		st.Serving = s.TLS.Certs.HasCertificate(ctx, d.Domain)
	}
	if st.Certificate.Status == "" {
		st.Certificate.Status = portico.CertNone
	}
	st.Summary = st.summary(now)
	return st
}

func (st *DomainTLSStatus) summary(now time.Time) string {
	c := st.Certificate
	switch c.Status {
	case portico.CertIssued:
		if c.NotAfter == nil {
			return "Issued"
		}
		date := c.NotAfter.Format(time.DateOnly)
		msg := "Issued until " + date
		if now.After(*c.NotAfter) {
			msg = "Expired on " + date
		}
		if c.Source == portico.CertSourceUploaded {
			msg += " (uploaded)"
		}
		if !st.CertificateAllowed && c.Source != portico.CertSourceUploaded {
			msg += ", not served: the DNS is no longer verified"
		}
		return msg
	case portico.CertPending:
		if c.LastError != "" {
			return "Pending: " + c.LastError
		}
		return "Requesting a certificate"
	case portico.CertFailed:
		return "Failed: " + c.LastError
	}
	switch {
	case !st.HTTPS:
		return "No certificate: HTTPS is off (start Portico with --https)"
	case !st.CertificateAllowed:
		return "No certificate: waiting for DNS verification"
	}
	return "No certificate yet"
}

// UploadCertificate stores the operator's own certificate chain and
// private key (PEM) for a domain, after checking that they parse, match
// and cover the domain. Portico serves it instead of requesting one and
// never renews it.
func (s *Service) UploadCertificate(ctx context.Context, a Actor, id int64, certPEM, keyPEM string) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	err := s.DB.Write(ctx, func(q *store.Q) error {
		d, err := q.FindDomainByID(ctx, id)
		if err != nil {
			return err
		}
		up, err := certs.CheckUpload(d.Domain, certPEM, keyPEM, q.Now())
		if err != nil {
			return err
		}
		if err := q.SetUploadedCertificate(ctx, store.UploadedCertificate{DomainID: id, CertPEM: up.CertPEM,
			KeyEnc: s.Box.Seal(up.KeyPEM), NotAfter: up.NotAfter, Issuer: up.Issuer}); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("domain.certificate_upload", fmt.Sprintf("domain:%d", id),
			fmt.Sprintf("%s, issued by %s, until %s", d.Domain, up.Issuer, up.NotAfter.Format(time.DateOnly))))
	})
	if err == nil {
		s.kickCerts()
	}
	return err
}

// DeleteUploadedCertificate removes a domain's uploaded certificate; if the
// domain is verified, Portico then requests one itself.
func (s *Service) DeleteUploadedCertificate(ctx context.Context, a Actor, id int64) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	err := s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.DeleteUploadedCertificate(ctx, id); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("domain.certificate_delete", fmt.Sprintf("domain:%d", id), ""))
	})
	if err == nil {
		s.kickCerts()
	}
	return err
}
