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

// UserLogin is a panel login that got past the password: the cookie token
// and whether the session still awaits the second factor.
type UserLogin struct {
	User     *portico.User
	Token    string
	NeedsMFA bool
}

// LoginUser checks an operator's credentials and opens a panel session,
// ending the one behind oldToken (if any) so a login always rotates the
// cookie. Unknown, disabled, wrong-password and off-allowlist logins get
// the same error after the same hashing work; a throttled email or
// address is refused at once, before any hashing. With two-factor on, the
// session opens no page until CompleteUserMFA.
func (s *Service) LoginUser(ctx context.Context, email, password, ip, oldToken string) (*UserLogin, error) {
	byEmail, byIP := emailKey("panel-login", email), throttleKey("panel-login-ip", ip)
	if err := s.throttled(ctx, byEmail, byIP); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	u, err := q.FindUserByEmail(ctx, email)
	if err != nil && portico.ErrorCode(err) != portico.ENOTFOUND {
		return nil, err
	}
	fail := func() (*UserLogin, error) {
		s.auditLoginFailure(ctx, "user", email, ip, nil, keyRule{byEmail, ruleLoginEmail}, keyRule{byIP, ruleLoginIP})
		return nil, badLogin
	}
	if u == nil {
		if err := s.Hasher.VerifyDummy(ctx, password); err != nil {
			return nil, err
		}
		return fail()
	}
	ok, rehash, err := s.Hasher.Verify(ctx, u.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok || u.Disabled || !portico.AllowlistAllows(u.IPAllowlist, ip) {
		return fail()
	}
	mfa, err := q.FindTOTP(ctx, store.Principal{UserID: u.ID})
	if err != nil {
		return nil, err
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
		if oldToken != "" {
			if err := q.DeleteSession(ctx, auth.HashToken(oldToken)); err != nil {
				return err
			}
		}
		if err := q.ThrottleClear(ctx, byEmail); err != nil {
			return err
		}
		uid := u.ID
		sess := &store.Session{Kind: store.SessionPanel, UserID: &uid, IP: ip, UserAgent: portico.ClientFrom(ctx).UserAgent,
			ExpiresAt: q.Now().Add(PanelAbsolute)}
		entry := store.AuditEntry{Actor: userActor(u), Action: "panel.login", IP: ip}
		if mfa.Enabled {
			sess.Stage, sess.ExpiresAt = store.StageMFA, q.Now().Add(mfaPendingLifetime)
			entry.Action, entry.Detail = "panel.login.password", "second factor awaited"
		} else if err := q.SetUserLastLogin(ctx, u.ID); err != nil {
			return err
		}
		if err := q.CreateSession(ctx, hash, sess); err != nil {
			return err
		}
		return q.Audit(ctx, entry)
	})
	if err != nil {
		return nil, err
	}
	return &UserLogin{User: u, Token: token, NeedsMFA: mfa.Enabled}, nil
}

func userActor(u *portico.User) string { return fmt.Sprintf("user:%d %s", u.ID, u.Email) }

// CompleteUserMFA checks the second factor of a panel session that awaits
// it and replaces that session with a full one, whose token it returns.
func (s *Service) CompleteUserMFA(ctx context.Context, token, code, ip string) (string, error) {
	hash := auth.HashToken(token)
	sess, err := s.DB.Read().FindSession(ctx, hash, store.SessionPanel, mfaPendingLifetime)
	if err != nil || sess.Stage != store.StageMFA || sess.UserID == nil {
		return "", portico.Errorf(portico.EUNAUTHORIZED, "Your login has expired; please log in again.")
	}
	u, err := s.DB.Read().FindUserByID(ctx, *sess.UserID)
	if err != nil || u.Disabled || !portico.AllowlistAllows(u.IPAllowlist, ip) {
		return "", portico.Errorf(portico.EUNAUTHORIZED, "Your login has expired; please log in again.")
	}
	next, nextHash := auth.NewToken()
	fail := store.AuditEntry{Actor: userActor(u), Action: "panel.login.mfa", IP: ip}
	err = s.verifyPending(ctx, store.Principal{UserID: u.ID}, code, ip, fail, func(q *store.Q, recovery bool) error {
		if err := q.DeleteSession(ctx, hash); err != nil {
			return err
		}
		uid := u.ID
		if err := q.CreateSession(ctx, nextHash, &store.Session{Kind: store.SessionPanel, UserID: &uid, IP: ip,
			UserAgent: portico.ClientFrom(ctx).UserAgent, ExpiresAt: q.Now().Add(PanelAbsolute)}); err != nil {
			return err
		}
		if err := q.SetUserLastLogin(ctx, u.ID); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: userActor(u), Action: "panel.login", IP: ip, Detail: factorDetail(recovery)})
	})
	return next, err
}

func factorDetail(recovery bool) string {
	if recovery {
		return "second factor: recovery code"
	}
	return "second factor: authenticator app"
}

// auditLoginFailure records a refused login and counts it against the
// throttling keys, in one transaction. accountID names the account of a
// contact that exists, so its people see the attempt in their activity.
func (s *Service) auditLoginFailure(ctx context.Context, who, email, ip string, accountID *int64, krs ...keyRule) {
	// Best effort: a failed audit write must not turn a 401 into a 500.
	s.maybeSweep(ctx)
	_ = s.DB.Write(ctx, func(q *store.Q) error {
		w, err := countFailure(ctx, q, krs...)
		if err != nil {
			return err
		}
		e := store.AuditEntry{Actor: who + ":? " + portico.NormalizeEmail(email), Action: who + ".login",
			IP: ip, Outcome: "denied", AccountID: accountID}
		if err := q.Audit(ctx, e); err != nil {
			return err
		}
		return auditBlock(ctx, q, e, w)
	})
}

// PanelUser returns the user of a live, fully logged-in panel session and
// renews its idle timer. An unknown, expired, half-finished (second
// factor awaited) or disabled session, or a request from outside the
// user's IP allowlist, is EUNAUTHORIZED.
func (s *Service) PanelUser(ctx context.Context, token, ip string) (*portico.User, error) {
	hash := auth.HashToken(token)
	q := s.DB.Read()
	sess, err := q.FindSession(ctx, hash, store.SessionPanel, PanelIdle)
	if err != nil || sess.UserID == nil {
		return nil, portico.Errorf(portico.EUNAUTHORIZED, "Please log in.")
	}
	if sess.Stage != store.StageFull {
		return nil, ErrMFAPending
	}
	u, err := q.FindUserByID(ctx, *sess.UserID)
	if err != nil || u.Disabled || !portico.AllowlistAllows(u.IPAllowlist, ip) {
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

// APIUser returns the enabled user owning an API token. A call from
// outside the user's IP allowlist (the client address comes from the
// request's context) is refused like a bad token.
func (s *Service) APIUser(ctx context.Context, token string) (*portico.User, error) {
	if token == "" {
		return nil, portico.Errorf(portico.EUNAUTHORIZED, "Missing bearer token.")
	}
	u, err := s.DB.Read().FindUserByTokenHash(ctx, auth.HashToken(token))
	if err != nil || !portico.AllowlistAllows(u.IPAllowlist, portico.ClientFrom(ctx).IP) {
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
