package certs

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mholt/acmez/v3/acme"

	"portico/internal/portico"
	"portico/internal/store"
)

// ErrIssuanceLimit is returned when the hourly cap on new certificates is
// reached; certmagic tries again later.
var ErrIssuanceLimit = errors.New("hourly certificate issuance limit reached")

// onEvent follows certmagic's work: it is the last gate before every order
// (policy and hourly limit) and records each domain's certificate status
// for the panel.
func (m *Manager) onEvent(ctx context.Context, event string, data map[string]any) error {
	name, _ := data["identifier"].(string)
	renewal, _ := data["renewal"].(bool)
	switch event {
	case "cert_obtaining":
		return m.obtaining(ctx, name, renewal)
	case "cert_obtained":
		path, _ := data["certificate_path"].(string)
		m.obtained(ctx, name, path, renewal)
	case "cert_failed":
		err, _ := data["error"].(error)
		m.failed(ctx, name, err, renewal)
	case "cached_managed_cert":
		sans, _ := data["sans"].([]string)
		for _, n := range sans {
			m.cached(ctx, n)
		}
	}
	return nil
}

// obtaining runs before an order is placed, whatever started it (a
// handshake, eager management, a renewal): refusing here means no order.
func (m *Manager) obtaining(ctx context.Context, name string, renewal bool) error {
	if err := m.policy.Decide(ctx, name); err != nil {
		m.log.Warn("certificate order refused", "name", name, "reason", err)
		return err
	}
	var ok bool
	err := m.db.Write(ctx, func(q *store.Q) error {
		var err error
		ok, err = q.StartACMEOrder(ctx, name, renewal, m.perHour)
		return err
	})
	if err != nil {
		return err
	}
	if !ok {
		m.log.Warn("certificate order postponed: hourly limit reached", "name", name, "limit", m.perHour)
		m.record(ctx, store.TLSUpdate{Name: name, Status: portico.CertPending,
			Error: fmt.Sprintf("Waiting: at most %d new certificates are ordered per hour; Portico will try again shortly.", m.perHour)})
		return ErrIssuanceLimit
	}
	if !renewal {
		m.record(ctx, store.TLSUpdate{Name: name, Status: portico.CertPending})
	}
	m.log.Info("ordering certificate", "name", name, "renewal", renewal)
	return nil
}

func (m *Manager) obtained(ctx context.Context, name, path string, renewal bool) {
	leaf, err := m.storedLeaf(ctx, path)
	if err != nil {
		m.log.Error("certificate obtained but unreadable", "name", name, "err", err)
		return
	}
	na := leaf.NotAfter.UTC()
	m.log.Info("certificate obtained", "name", name, "renewal", renewal, "not_after", na)
	m.record(ctx, store.TLSUpdate{Name: name, Status: portico.CertIssued, NotAfter: &na, Issuer: issuerName(leaf)})
}

func (m *Manager) failed(ctx context.Context, name string, err error, renewal bool) {
	msg := Explain(name, err)
	m.log.Warn("certificate order failed", "name", name, "renewal", renewal, "err", err)
	status := portico.CertFailed
	if renewal {
		// The current certificate is still served; the panel shows it with
		// the error next to it.
		status = portico.CertIssued
	}
	m.record(ctx, store.TLSUpdate{Name: name, Status: status, Error: msg})
}

// cached records a certificate loaded from the database into memory (at
// start, or one another node obtained or renewed).
func (m *Manager) cached(ctx context.Context, name string) {
	var best *x509.Certificate
	for _, c := range m.cache.AllMatchingCertificates(name) {
		if c.Leaf != nil && (best == nil || c.Leaf.NotAfter.After(best.NotAfter)) {
			best = c.Leaf
		}
	}
	if best == nil {
		return
	}
	na := best.NotAfter.UTC()
	m.record(ctx, store.TLSUpdate{Name: name, Status: portico.CertIssued, NotAfter: &na, Issuer: issuerName(best)})
}

func (m *Manager) record(ctx context.Context, u store.TLSUpdate) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := m.db.Write(ctx, func(q *store.Q) error { return q.SetDomainTLS(ctx, u) }); err != nil {
		m.log.Error("recording certificate status failed", "name", u.Name, "err", err)
	}
}

func (m *Manager) storedLeaf(ctx context.Context, path string) (*x509.Certificate, error) {
	b, err := m.storage.Load(ctx, path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	if len(c.Issuer.Organization) > 0 {
		return c.Issuer.Organization[0]
	}
	return ""
}

// Explain turns an ACME failure into what the operator should fix.
func Explain(name string, err error) string {
	if err == nil {
		return "The certificate order failed."
	}
	if errors.Is(err, ErrIssuanceLimit) {
		return "Waiting: the hourly limit of new certificates was reached; Portico will try again shortly."
	}
	var p acme.Problem
	if !errors.As(err, &p) {
		return "The certificate order failed: " + trim(err.Error())
	}
	detail := p.Detail
	for _, sp := range p.Subproblems {
		if sp.Detail != "" {
			detail = sp.Detail
		}
	}
	t := strings.TrimPrefix(p.Type, "urn:ietf:params:acme:error:")
	for _, sp := range p.Subproblems {
		if sp.Type != "" {
			t = strings.TrimPrefix(sp.Type, "urn:ietf:params:acme:error:")
		}
	}
	if t == "unauthorized" || t == "incorrectResponse" {
		// CAs (Pebble among them) report a refused or timed-out connection
		// under these types too; the detail tells.
		l := strings.ToLower(detail)
		if strings.Contains(l, "connect") || strings.Contains(l, "timeout") || strings.Contains(l, "refused") {
			t = "connection"
		}
	}
	var advice string
	switch t {
	case "connection":
		advice = fmt.Sprintf("The CA could not connect to %s: make sure ports 80 and 443 of the portal host reach Portico and no firewall blocks them.", name)
	case "unauthorized", "incorrectResponse":
		advice = fmt.Sprintf("The CA reached %s but not Portico's answer: check that the CNAME points at the portal host and that no proxy or CDN in front answers instead.", name)
	case "dns":
		advice = fmt.Sprintf("The CA could not resolve %s: check the CNAME at your DNS provider.", name)
	case "caa":
		advice = fmt.Sprintf("A CAA record on %s forbids this CA: add one that allows it, or remove the CAA records.", name)
	case "rateLimited":
		advice = "The CA's rate limit was reached; Portico will try again later."
	case "rejectedIdentifier":
		advice = fmt.Sprintf("The CA will not issue for %s.", name)
	case "accountDoesNotExist", "unauthorizedAccount", "externalAccountRequired":
		advice = "The CA refused Portico's ACME account: check --acme-directory and --acme-email."
	default:
		advice = "The certificate order failed."
	}
	if detail != "" {
		advice += " The CA said: " + trim(detail)
	}
	return advice
}

func trim(s string) string {
	const limit = 500
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
