package app

import (
	"context"
	"fmt"
	"time"

	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/store"
)

// Panel session lifetimes (DESIGN.md: idle 15 min, absolute 12 h).
const (
	PanelIdle     = 15 * time.Minute
	PanelAbsolute = 12 * time.Hour
	setupLifetime = 24 * time.Hour
	purposeSetup  = "setup"
)

// CreateUser creates an operator user with a typed password (from the CLI
// or the first-owner setup page).
func (s *Service) CreateUser(ctx context.Context, u *portico.User, password string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if err := auth.CheckPolicy("password", password); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.CreateUser(ctx, u); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: "system", Action: "user.create", Target: fmt.Sprintf("user:%d", u.ID), Detail: u.Email + " " + u.Role})
	})
}

// badLogin is the one answer to every failed login, whatever the cause.
var badLogin = portico.Errorf(portico.EUNAUTHORIZED, "Email or password is incorrect.")

// LoginUser checks an operator's credentials and opens a panel session,
// returning the session token for the cookie. Unknown, disabled and
// wrong-password logins get the same error after the same hashing work.
func (s *Service) LoginUser(ctx context.Context, email, password, ip string) (*portico.User, string, error) {
	u, err := s.DB.Read().FindUserByEmail(ctx, email)
	if err != nil && portico.ErrorCode(err) != portico.ENOTFOUND {
		return nil, "", err
	}
	if u == nil {
		if err := s.Hasher.VerifyDummy(ctx, password); err != nil {
			return nil, "", err
		}
		s.auditLoginFailure(ctx, "user", email, ip)
		return nil, "", badLogin
	}
	ok, rehash, err := s.Hasher.Verify(ctx, u.PasswordHash, password)
	if err != nil {
		return nil, "", err
	}
	if !ok || u.Disabled {
		s.auditLoginFailure(ctx, "user", email, ip)
		return nil, "", badLogin
	}
	token, hash := auth.NewToken()
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if rehash {
			if h, err := s.Hasher.Hash(ctx, password); err == nil {
				if err := q.SetUserPassword(ctx, u.ID, h); err != nil {
					return err
				}
			}
		}
		uid := u.ID
		if err := q.CreateSession(ctx, hash, &store.Session{Kind: store.SessionPanel, UserID: &uid, IP: ip,
			ExpiresAt: q.Now().Add(PanelAbsolute)}); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: fmt.Sprintf("user:%d %s", u.ID, u.Email), Action: "panel.login", IP: ip})
	})
	return u, token, err
}

func (s *Service) auditLoginFailure(ctx context.Context, who, email, ip string) {
	// Best effort: a failed audit write must not turn a 401 into a 500.
	_ = s.DB.Write(ctx, func(q *store.Q) error {
		return q.Audit(ctx, store.AuditEntry{Actor: who + ":? " + portico.NormalizeEmail(email), Action: who + ".login", IP: ip, Outcome: "denied"})
	})
}

// PanelUser returns the user of a live panel session and renews its idle
// timer; an unknown, expired or disabled session is EUNAUTHORIZED.
func (s *Service) PanelUser(ctx context.Context, token string) (*portico.User, error) {
	hash := auth.HashToken(token)
	q := s.DB.Read()
	sess, err := q.FindSession(ctx, hash, store.SessionPanel, PanelIdle)
	if err != nil || sess.UserID == nil {
		return nil, portico.Errorf(portico.EUNAUTHORIZED, "Please log in.")
	}
	u, err := q.FindUserByID(ctx, *sess.UserID)
	if err != nil || u.Disabled {
		return nil, portico.Errorf(portico.EUNAUTHORIZED, "Please log in.")
	}
	// Renew at most once a minute so page views are not all writes.
	if q.Now().Sub(sess.LastSeenAt) > time.Minute {
		if err := s.DB.Write(ctx, func(q *store.Q) error { return q.TouchSession(ctx, hash) }); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Logout ends the session behind token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.DB.Write(ctx, func(q *store.Q) error { return q.DeleteSession(ctx, auth.HashToken(token)) })
}

// CreateAPIToken makes an operator API token for the user with email and
// returns it; only its hash is stored, so this is the one time it is seen.
func (s *Service) CreateAPIToken(ctx context.Context, email, name string) (string, error) {
	if name == "" || len(name) > 100 {
		return "", portico.FieldError("name", "Token name is required (at most 100 characters).")
	}
	u, err := s.DB.Read().FindUserByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	raw, _ := auth.NewToken()
	token := "pt_" + raw // a prefix makes leaked tokens easy to grep for
	hash := auth.HashToken(token)
	err = s.DB.Write(ctx, func(q *store.Q) error {
		t := &portico.APIToken{UserID: u.ID, Name: name}
		if err := q.CreateAPIToken(ctx, t, hash); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: "system", Action: "token.create", Target: fmt.Sprintf("user:%d", u.ID), Detail: name})
	})
	return token, err
}

// APIUser returns the enabled user owning an API token.
func (s *Service) APIUser(ctx context.Context, token string) (*portico.User, error) {
	if token == "" {
		return nil, portico.Errorf(portico.EUNAUTHORIZED, "Missing bearer token.")
	}
	u, err := s.DB.Read().FindUserByTokenHash(ctx, auth.HashToken(token))
	if err != nil {
		return nil, portico.Errorf(portico.EUNAUTHORIZED, "Invalid bearer token.")
	}
	return u, nil
}

// NewSetupToken returns a one-time link token for creating the first owner
// when no owner exists yet, or "" when one does.
func (s *Service) NewSetupToken(ctx context.Context) (string, error) {
	has, err := s.DB.Read().HasOwner(ctx)
	if err != nil || has {
		return "", err
	}
	token, hash := auth.NewToken()
	err = s.DB.Write(ctx, func(q *store.Q) error {
		return q.CreateOneTimeToken(ctx, hash, &store.OneTimeToken{Purpose: purposeSetup, ExpiresAt: q.Now().Add(setupLifetime)})
	})
	return token, err
}

// CheckSetupToken reports whether a setup link is still usable (for the GET
// page; only the POST consumes it).
func (s *Service) CheckSetupToken(ctx context.Context, token string) error {
	_, err := s.DB.Read().PeekOneTimeToken(ctx, auth.HashToken(token), purposeSetup)
	if err != nil {
		return portico.Errorf(portico.ENOTFOUND, "This setup link is invalid, used or expired. Restart portico serve for a new one.")
	}
	return nil
}

// CompleteSetup consumes a setup token and creates the first owner in the
// same transaction, so the link works exactly once.
func (s *Service) CompleteSetup(ctx context.Context, token string, u *portico.User, password string) error {
	u.Role = portico.RoleOwner
	if err := u.Validate(); err != nil {
		return err
	}
	if err := auth.CheckPolicy("password", password); err != nil {
		return err
	}
	if err := s.CheckSetupToken(ctx, token); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	return s.DB.Write(ctx, func(q *store.Q) error {
		if _, err := q.ConsumeOneTimeToken(ctx, auth.HashToken(token), purposeSetup); err != nil {
			return portico.Errorf(portico.ENOTFOUND, "This setup link is invalid, used or expired.")
		}
		if err := q.CreateUser(ctx, u); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: "setup", Action: "user.create", Target: fmt.Sprintf("user:%d", u.ID), Detail: u.Email + " owner"})
	})
}
