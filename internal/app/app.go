// Package app holds the use cases that span adapters: each runs its store
// writes, queued email and audit entry in one transaction, and enforces
// operator roles, so the panel and the API share one set of rules.
package app

import (
	"context"
	"fmt"
	"net"
	"strings"

	"portico/internal/auth"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/secret"
	"portico/internal/store"
)

// Service is the application: every handler calls into it.
type Service struct {
	DB              *store.DB
	Hasher          *auth.Hasher
	Box             *secret.Box
	Links           Links
	DefaultCurrency string
	// MailKick wakes the mail worker after a transaction queued mail; nil is
	// allowed (the worker polls anyway).
	MailKick func()
	// TLS is custom-domain DNS verification and certificates.
	TLS DomainTLS
	// SIPEndpoint is the operator's SIP endpoint (host or host:port) that
	// rate card exports name; empty: the brand's own domain.
	SIPEndpoint string
	// rating keeps rate cards ready for rating (billing_rating.go); its
	// zero value is ready to use.
	rating ratingCache
}

// Links builds absolute URLs for emails from configuration only, never from
// request headers, so a forged Host cannot redirect a reset link.
type Links struct {
	Scheme string // http or https
	Port   string // "" for the scheme's default port
	// PanelHost is the first control-panel host, for operator emails.
	PanelHost string
}

// URL returns scheme://host[:port]path.
func (l Links) URL(host, path string) string {
	h := host
	if l.Port != "" && !(l.Scheme == "https" && l.Port == "443") && !(l.Scheme == "http" && l.Port == "80") {
		h = net.JoinHostPort(host, l.Port)
	}
	return l.Scheme + "://" + h + path
}

// Actor is the operator user behind a panel or API request.
type Actor struct {
	UserID int64
	Email  string
	Role   string
	IP     string
}

func (a Actor) label() string { return fmt.Sprintf("user:%d %s", a.UserID, a.Email) }

// mustWrite refuses read-only roles.
func (a Actor) mustWrite() error {
	if a.Role != portico.RoleOwner && a.Role != portico.RoleAdmin {
		return portico.Errorf(portico.EFORBIDDEN, "Your role (%s) is read-only.", a.Role)
	}
	return nil
}

func (a Actor) audit(action, target, detail string) store.AuditEntry {
	return store.AuditEntry{Actor: a.label(), Action: action, Target: target, IP: a.IP, Detail: detail}
}

func (s *Service) kickMail() {
	if s.MailKick != nil {
		s.MailKick()
	}
}

// queueMail renders a message of kind for one recipient and adds it to the
// outbox inside q's transaction. A non-empty secret is sealed with the
// service's key; only the sealed form reaches the database.
func (s *Service) queueMail(ctx context.Context, q *store.Q, brand *portico.Domain, kind string, d mail.Data, plainSecret string) error {
	e := &portico.Email{Kind: kind, To: d.To}
	if brand != nil {
		e.DomainID, e.Brand = &brand.ID, brand.BrandName
		d.Brand, d.BrandDomain = brand.BrandName, brand.Domain
		if d.LoginURL == "" {
			d.LoginURL = s.Links.URL(brand.Domain, "/login")
		}
	}
	subject, text, html, err := mail.Render(kind, d)
	if err != nil {
		return fmt.Errorf("render %s mail: %w", kind, err)
	}
	e.Subject, e.Text, e.HTML = subject, text, html
	var sealed []byte
	if plainSecret != "" {
		if !strings.Contains(text, portico.SecretPlaceholder) {
			return fmt.Errorf("%s template has no place for the secret", kind)
		}
		sealed = s.Box.Seal(plainSecret)
	}
	return q.EnqueueEmail(ctx, e, sealed)
}
