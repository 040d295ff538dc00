package app

import (
	"context"
	"time"

	"portico/internal/portico"
	"portico/internal/store"
)

// The contact's own security page: two-factor authentication, sessions,
// and the account's activity. Support sessions may look but change none
// of it.

func (u *PortalUser) principal() store.Principal { return store.Principal{ContactID: u.contact.ID} }

// ContactMFA returns the logged-in contact's two-factor status.
func (s *Service) ContactMFA(ctx context.Context, u *PortalUser) (MFAStatus, error) {
	return s.mfaStatus(ctx, u.principal())
}

// MFARequired reports whether the brand or the account requires
// two-factor authentication of the contact.
func (s *Service) MFARequired(ctx context.Context, u *PortalUser) (bool, error) {
	r, err := s.DB.Read().FindRequire2FA(ctx, u.account.ID)
	return r.Any(), err
}

// BeginContactTOTP starts setting up an authenticator app, named after the
// brand in the app.
func (s *Service) BeginContactTOTP(ctx context.Context, u *PortalUser) (*Enrolment, error) {
	if err := u.maySelfManage(); err != nil {
		return nil, err
	}
	return s.beginTOTP(ctx, u.principal(), u.brand.BrandName, u.contact.Email)
}

// PendingContactTOTP returns the set-up in progress, or nil.
func (s *Service) PendingContactTOTP(ctx context.Context, u *PortalUser) (*Enrolment, error) {
	return s.pendingKey(ctx, u.principal(), u.brand.BrandName, u.contact.Email)
}

// ConfirmContactTOTP turns two-factor on with the first code from the app
// and returns the recovery codes, shown once.
func (s *Service) ConfirmContactTOTP(ctx context.Context, u *PortalUser, code string) ([]string, error) {
	if err := u.maySelfManage(); err != nil {
		return nil, err
	}
	return s.confirmTOTP(ctx, u.principal(), code, u.audit("", contactTarget(u.contact), "authenticator app"))
}

// checkCurrentPassword guards changes that weaken a login: a stolen
// session alone must not be enough.
func (s *Service) checkCurrentPassword(ctx context.Context, hash, password string) error {
	ok, _, err := s.Hasher.Verify(ctx, hash, password)
	if err != nil {
		return err
	}
	if !ok {
		return portico.FieldError("current_password", "Current password is incorrect.")
	}
	return nil
}

// DisableContactTOTP turns two-factor off after checking the password. A
// contact whose brand or account requires it cannot.
func (s *Service) DisableContactTOTP(ctx context.Context, u *PortalUser, password string) error {
	if err := u.maySelfManage(); err != nil {
		return err
	}
	if req, err := s.MFARequired(ctx, u); err != nil || req {
		if err == nil {
			err = portico.Errorf(portico.EFORBIDDEN, "Two-factor authentication is required for your account, so it cannot be turned off.")
		}
		return err
	}
	if err := s.checkCurrentPassword(ctx, u.contact.PasswordHash, password); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := removeTOTP(ctx, q, u.principal()); err != nil {
			return err
		}
		return q.Audit(ctx, u.audit("mfa.disable", contactTarget(u.contact), ""))
	})
}

// NewContactRecoveryCodes replaces the contact's recovery codes after
// checking the password.
func (s *Service) NewContactRecoveryCodes(ctx context.Context, u *PortalUser, password string) ([]string, error) {
	if err := u.maySelfManage(); err != nil {
		return nil, err
	}
	if err := s.checkCurrentPassword(ctx, u.contact.PasswordHash, password); err != nil {
		return nil, err
	}
	return s.newRecoveryCodes(ctx, u.principal(), u.audit("", contactTarget(u.contact), ""))
}

// SessionView is one session as its owner sees it.
type SessionView struct {
	ID         int64
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Current    bool // the session of this request
	Support    bool // an operator's support session
	Pending    bool // second factor awaited
}

// sessionViews shows sessions, marking the one whose id is current.
func sessionViews(list []*store.Session, current int64) []SessionView {
	out := make([]SessionView, 0, len(list))
	for _, ss := range list {
		out = append(out, SessionView{ID: ss.ID, IP: ss.IP, UserAgent: ss.UserAgent, CreatedAt: ss.CreatedAt,
			LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt, Support: ss.ImpersonatorID != nil,
			Pending: ss.Stage != store.StageFull, Current: ss.ID == current})
	}
	return out
}

// ContactSessions lists the logged-in contact's sessions, this one marked.
func (s *Service) ContactSessions(ctx context.Context, u *PortalUser) ([]SessionView, error) {
	list, err := u.scope(s.DB.Read()).ContactSessions(ctx, u.contact.ID)
	if err != nil {
		return nil, err
	}
	return sessionViews(list, u.session.ID), nil
}

// EndContactSession ends one of the logged-in contact's sessions; any
// other id is not found.
func (s *Service) EndContactSession(ctx context.Context, u *PortalUser, id int64) error {
	if err := u.maySelfManage(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := u.scope(q).EndContactSession(ctx, u.contact.ID, id); err != nil {
			return err
		}
		return q.Audit(ctx, u.audit("contact.session_end", contactTarget(u.contact), "one session"))
	})
}

// EndOtherContactSessions ends every session of the logged-in contact but
// this one.
func (s *Service) EndOtherContactSessions(ctx context.Context, u *PortalUser) error {
	if err := u.maySelfManage(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := u.scope(q).EndContactSessions(ctx, u.contact.ID, u.tokenHash); err != nil {
			return err
		}
		return q.Audit(ctx, u.audit("contact.session_end", contactTarget(u.contact), "all other sessions"))
	})
}

// AccountActivity lists the audit entries about the contact's account,
// newest first, a page at a time. A cursor that is not one of the
// account's entries is not found, like any other account's id.
func (s *Service) AccountActivity(ctx context.Context, u *PortalUser, before int64, limit int) (Page[store.AuditEntry], error) {
	scope := u.scope(s.DB.Read())
	if before != 0 {
		ok, err := scope.HasAuditEntry(ctx, before)
		if err != nil {
			return Page[store.AuditEntry]{}, err
		}
		if !ok {
			return Page[store.AuditEntry]{}, portico.Errorf(portico.ENOTFOUND, "Page not found.")
		}
	}
	return page(limit, before, func(e store.AuditEntry) int64 { return e.ID },
		func(before int64, limit int) ([]store.AuditEntry, error) {
			return scope.AuditEntries(ctx, before, limit)
		})
}
