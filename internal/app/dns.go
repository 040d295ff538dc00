package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"portico/internal/dnscheck"
	"portico/internal/portico"
	"portico/internal/store"
)

// How often a domain's DNS is looked at again.
const (
	DNSRecheckUnverified = time.Hour
	DNSRecheckVerified   = 24 * time.Hour
	// DNSRetryAfterFailure applies when the resolver itself failed.
	DNSRetryAfterFailure = 15 * time.Minute
)

// DNSChecker looks at where a host name's DNS points; *dnscheck.Checker is
// the real one.
type DNSChecker interface {
	Check(ctx context.Context, name, target string) dnscheck.Result
}

// CertManager is the part of the certificate manager the use cases call;
// *certs.Manager is the real one.
type CertManager interface {
	// Kick makes it compare the names it holds certificates for with the
	// database now, after a change made here.
	Kick()
	// HasCertificate reports whether HTTPS for name works on this node now.
	HasCertificate(ctx context.Context, name string) bool
}

// DomainTLS configures custom-domain verification and certificates.
type DomainTLS struct {
	// PortalHost is what portal domains must CNAME to (--portal-host);
	// without it nothing can be verified.
	PortalHost string
	// DNS checks records; nil turns checks off.
	DNS DNSChecker
	// Certs is nil when HTTPS is off.
	Certs CertManager
	// Grace is how long a domain that stopped pointing at Portico keeps its
	// certificate (portico.DNSGracePeriod when 0).
	Grace time.Duration
}

func (t DomainTLS) grace() time.Duration {
	if t.Grace == 0 {
		return portico.DNSGracePeriod
	}
	return t.Grace
}

func (s *Service) kickCerts() {
	if s.TLS.Certs != nil {
		s.TLS.Certs.Kick()
	}
}

// VerifyDomain checks a domain's DNS now (the panel's "check now" button
// and POST /api/v1/domains/{id}/verify) and returns the domain as saved.
func (s *Service) VerifyDomain(ctx context.Context, a Actor, id int64) (*portico.Domain, error) {
	if err := a.mustWrite(); err != nil {
		return nil, err
	}
	if s.TLS.DNS == nil || s.TLS.PortalHost == "" {
		return nil, portico.Errorf(portico.EINVALID, "DNS checks are off: start Portico with --portal-host set to the host name portal domains CNAME to.")
	}
	d, err := s.DB.Read().FindDomainByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.checkDNS(ctx, d, a.label(), a.IP); err != nil {
		return nil, err
	}
	return s.DB.Read().FindDomainByID(ctx, id)
}

// checkDNS checks d's DNS, saves the outcome and audits it (every manual
// check, and automatic ones that change the status). It reports whether
// the status changed.
func (s *Service) checkDNS(ctx context.Context, d *portico.Domain, actor, ip string) (bool, error) {
	res := s.TLS.DNS.Check(ctx, d.Domain, s.TLS.PortalHost)
	now := s.DB.Now()
	c := store.DNSCheck{Status: res.Status, Detail: res.Detail, LookupFailed: res.Err != nil}
	switch {
	case res.Err != nil:
		c.Next = now.Add(DNSRetryAfterFailure)
	case res.Status == portico.DNSVerified:
		c.Next = now.Add(DNSRecheckVerified)
	default:
		c.Next = now.Add(DNSRecheckUnverified)
		if d.DNSVerifiedAt != nil {
			// A domain that pointed at us and stopped: say so, and when its
			// certificate goes.
			until := d.DNSVerifiedAt.Add(s.TLS.grace())
			if until.After(now) {
				c.Detail += fmt.Sprintf(" It was verified until %s; its certificate is kept until %s and then dropped unless the CNAME is fixed.",
					d.DNSVerifiedAt.Format(time.RFC3339), until.Format(time.RFC3339))
			} else {
				c.Detail += fmt.Sprintf(" It was verified until %s; its certificate has been dropped.", d.DNSVerifiedAt.Format(time.RFC3339))
			}
		}
	}
	var before string
	err := s.DB.Write(ctx, func(q *store.Q) error {
		var err error
		if before, err = q.SaveDNSCheck(ctx, d.ID, d.Domain, c); err != nil {
			return err
		}
		after := before
		if !c.LookupFailed {
			after = c.Status
		}
		if actor == "system" && after == before {
			return nil
		}
		outcome := "ok"
		if after != portico.DNSVerified {
			outcome = "failed"
		}
		return q.Audit(ctx, store.AuditEntry{Actor: actor, Action: "domain.dns_check", Target: fmt.Sprintf("domain:%d", d.ID),
			IP: ip, Outcome: outcome, Detail: d.Domain + ": " + before + " → " + after})
	})
	if err != nil {
		return false, err
	}
	changed := !c.LookupFailed && before != c.Status
	if changed {
		s.kickCerts()
	}
	return changed, nil
}

// DNSWorker re-checks every domain's DNS periodically: hourly while it is
// not verified, daily once it is, sooner after a resolver failure. Nodes
// sharing a database split the work: each check is claimed first.
type DNSWorker struct {
	Svc    *Service
	Logger *slog.Logger
	// Interval is how often due checks are looked for.
	Interval time.Duration
	// Parallel bounds the checks run at once.
	Parallel int
}

// Run checks due domains until ctx ends.
func (w *DNSWorker) Run(ctx context.Context) {
	if w.Svc.TLS.DNS == nil || w.Svc.TLS.PortalHost == "" {
		return
	}
	every := w.Interval
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		w.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce checks the domains due now.
func (w *DNSWorker) RunOnce(ctx context.Context) {
	db := w.Svc.DB
	due, err := db.Read().DomainsDueForDNSCheck(ctx, 100)
	if err != nil {
		if ctx.Err() == nil {
			w.Logger.Error("dns checks: listing due domains failed", "err", err)
		}
		return
	}
	parallel := max(1, w.Parallel)
	if w.Parallel == 0 {
		parallel = 4
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, dd := range due {
		var claimed bool
		err := db.Write(ctx, func(q *store.Q) error {
			var err error
			// The lease outlasts a check; the check's save sets the real next time.
			claimed, err = q.ClaimDNSCheck(ctx, dd.ID, q.Now().Add(5*time.Minute))
			return err
		})
		if err != nil || !claimed {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d, err := db.Read().FindDomainByID(ctx, dd.ID)
			if err != nil {
				return // deleted meanwhile
			}
			if _, err := w.Svc.checkDNS(ctx, d, "system", ""); err != nil && portico.ErrorCode(err) != portico.ENOTFOUND && ctx.Err() == nil {
				w.Logger.Error("dns check failed", "domain", d.Domain, "err", err)
			}
		})
	}
	wg.Wait()
}
