package portico

import "time"

// Certificate states of a domain.
const (
	CertNone    = "none"    // no certificate yet
	CertPending = "pending" // being requested from the CA
	CertIssued  = "issued"  // a certificate is held (see DomainTLS.NotAfter)
	CertFailed  = "failed"  // the last request failed and none is held
)

// Certificate sources.
const (
	CertSourceACME     = "acme"     // obtained and renewed automatically
	CertSourceUploaded = "uploaded" // the operator's own, never renewed by Portico
)

// DomainTLS is what Portico knows about a domain's certificate.
type DomainTLS struct {
	Status      string // one of the Cert* states
	Source      string // CertSourceACME, CertSourceUploaded or ""
	NotAfter    *time.Time
	Issuer      string // the issuing CA's name
	LastError   string // the last ACME failure, in words, "" after a success
	LastErrorAt *time.Time
}

// DNSGracePeriod is how long a domain that was verified and stopped
// pointing at Portico keeps its certificates, so that a DNS mistake fixed
// within a few days costs nothing.
const DNSGracePeriod = 72 * time.Hour

// CertificateAllowed reports whether Portico may hold, serve and renew a
// certificate for the domain: its CNAME is verified now, or was verified
// less than grace ago. It looks only at stored state, never at DNS, so it
// is safe on the TLS handshake path.
func (d *Domain) CertificateAllowed(now time.Time, grace time.Duration) bool {
	if d.DNSStatus == DNSVerified {
		return true
	}
	return d.DNSVerifiedAt != nil && now.Before(d.DNSVerifiedAt.Add(grace))
}
