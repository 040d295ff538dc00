package app

import (
	"context"

	"portico/internal/auth"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
)

// ChangeContactPassword sets a password the logged-in contact chose, after
// checking the current one. Every session of the contact ends, including
// this one, which is replaced: the returned token goes in the cookie.
func (s *Service) ChangeContactPassword(ctx context.Context, u *PortalUser, current, next, ip string) (string, error) {
	if err := u.maySelfManage(); err != nil {
		return "", err
	}
	hash, err := s.newPasswordHash(ctx, u.contact.PasswordHash, current, next)
	if err != nil {
		return "", err
	}
	token, tokenHash := auth.NewToken()
	err = s.DB.Write(ctx, func(q *store.Q) error {
		scope := u.scope(q)
		if err := scope.SetContactPassword(ctx, u.contact.ID, hash); err != nil {
			return err
		}
		if err := scope.EndContactSessions(ctx, u.contact.ID, ""); err != nil {
			return err
		}
		if err := createPortalSession(ctx, q, tokenHash, u.contact, u.brand, ip); err != nil {
			return err
		}
		e := u.audit("contact.password_change", contactTarget(u.contact), "every other session ended")
		e.IP = ip
		return q.Audit(ctx, e)
	})
	return token, err
}

// newPasswordHash checks a self-service password change (the current
// password is right; the new one follows the rules and differs from it)
// and hashes the new password. Every problem is reported at once.
func (s *Service) newPasswordHash(ctx context.Context, oldHash, current, next string) (string, error) {
	ok, _, err := s.Hasher.Verify(ctx, oldHash, current)
	if err != nil {
		return "", err
	}
	fields := portico.FieldErrors{}
	if !ok {
		fields.Add("current_password", "Current password is incorrect.")
	}
	if err := auth.CheckPolicy("new_password", next); err != nil {
		fields.Add("new_password", portico.ErrorFields(err)["new_password"])
	} else if next == current {
		fields.Add("new_password", "Choose a password different from the current one.")
	}
	if err := fields.Err(); err != nil {
		return "", err
	}
	return s.Hasher.Hash(ctx, next)
}

// RequestPasswordReset emails a reset link when email is an enabled
// contact of an active account on brand, and otherwise does nothing. The
// caller shows the same answer either way, and both ways write one
// transaction (the audit entry), so neither the page nor its timing tells
// whether the address has a login.
//
// Requests are throttled per client address and per address typed, so the
// form can flood neither a mailbox nor the outbox.
func (s *Service) RequestPasswordReset(ctx context.Context, brand *portico.Domain, email, ip string) error {
	if err := s.countAttempt(ctx, mailFormKeys("reset", ip, email)...); err != nil {
		return err
	}
	q := s.DB.Read()
	c, err := q.FindContactByEmail(ctx, email)
	if err != nil && portico.ErrorCode(err) != portico.ENOTFOUND {
		return err
	}
	eligible := false
	if c != nil {
		acc, err := q.ForAccount(c.AccountID).Account(ctx)
		if err != nil {
			return err
		}
		eligible = !c.Disabled && acc.CanLogIn() && onBrand(acc, brand)
	}
	entry := store.AuditEntry{Actor: "contact:? " + portico.NormalizeEmail(email), Action: "contact.reset_request",
		Target: domainTarget(brand), IP: ip, Outcome: "denied"}
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if eligible {
			link, err := s.newBrandLink(ctx, q, brand, c.ID, purposeReset, "/reset", resetLifetime)
			if err != nil {
				return err
			}
			d := s.brandMail(brand, c.Email, c.Name)
			d.Link = link
			if err := s.queueMail(ctx, q, brand, mail.KindPasswordReset, d, ""); err != nil {
				return err
			}
			entry.Actor, entry.Outcome, entry.AccountID = contactActor(c), "ok", &c.AccountID
		}
		return q.Audit(ctx, entry)
	})
	if err == nil && eligible {
		s.kickMail()
	}
	return err
}

// CheckResetLink reports whether a reset link is usable on brand, without
// using it (for the GET page with the form).
func (s *Service) CheckResetLink(ctx context.Context, brand *portico.Domain, token string) error {
	_, err := openBrandLink(ctx, s.DB.Read(), brand, token, purposeReset, false)
	return err
}

// ResetPassword uses a reset link: it sets the new password, which also
// proves the contact reads its mailbox, and ends every session of the
// contact. The link works once.
func (s *Service) ResetPassword(ctx context.Context, brand *portico.Domain, token, password, ip string) error {
	if err := s.CheckResetLink(ctx, brand, token); err != nil {
		return err
	}
	if err := auth.CheckPolicy("password", password); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		c, err := openBrandLink(ctx, q, brand, token, purposeReset, true)
		if err != nil {
			return err
		}
		scope := q.ForAccount(c.AccountID)
		if err := scope.SetContactPassword(ctx, c.ID, hash); err != nil {
			return err
		}
		if err := scope.MarkContactEmailVerified(ctx, c.ID); err != nil {
			return err
		}
		if err := scope.EndContactSessions(ctx, c.ID, ""); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: contactActor(c), Action: "contact.password_reset",
			Target: contactTarget(c), AccountID: &c.AccountID, IP: ip, Detail: "every session ended"})
	})
}
