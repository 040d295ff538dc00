package app

import (
	"context"

	"portico/internal/portico"
	"portico/internal/store"
)

// CheckVerifyLink reports whether an email verification link is usable on
// brand, without using it (for the GET page with the button).
func (s *Service) CheckVerifyLink(ctx context.Context, brand *portico.Domain, token string) error {
	_, err := openBrandLink(ctx, s.DB.Read(), brand, token, purposeVerify, false)
	return err
}

// VerifyEmail uses a verification link and marks the contact's address
// verified. The link works once.
func (s *Service) VerifyEmail(ctx context.Context, brand *portico.Domain, token, ip string) error {
	return s.DB.Write(ctx, func(q *store.Q) error {
		c, err := openBrandLink(ctx, q, brand, token, purposeVerify, true)
		if err != nil {
			return err
		}
		if err := q.ForAccount(c.AccountID).MarkContactEmailVerified(ctx, c.ID); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: contactActor(c), Action: "contact.verify_email",
			Target: contactTarget(c), AccountID: &c.AccountID, IP: ip})
	})
}
