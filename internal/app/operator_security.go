package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/store"
)

// Operator-side security: each user's own two-factor set-up and IP
// allowlist; and, over contacts, ending their sessions, resetting their
// second factor, requiring two-factor per brand or account, reading the
// audit log, and "log in as contact" for support.

// ImpersonationLifetime bounds a support session, whatever happens in it.
const ImpersonationLifetime = 30 * time.Minute

const (
	purposeImpersonate  = "impersonate"
	impersonateLinkLife = 2 * time.Minute
)

func (a Actor) principal() store.Principal { return store.Principal{UserID: a.UserID} }

func (s *Service) panelIssuer() string { return "Portico (" + s.Links.PanelHost + ")" }

// UserMFA returns the operator user's own two-factor status.
func (s *Service) UserMFA(ctx context.Context, a Actor) (MFAStatus, error) {
	return s.mfaStatus(ctx, a.principal())
}

// BeginUserTOTP starts setting up an authenticator app for the user.
func (s *Service) BeginUserTOTP(ctx context.Context, a Actor) (*Enrolment, error) {
	return s.beginTOTP(ctx, a.principal(), s.panelIssuer(), a.Email)
}

// PendingUserTOTP returns the user's set-up in progress, or nil.
func (s *Service) PendingUserTOTP(ctx context.Context, a Actor) (*Enrolment, error) {
	return s.pendingKey(ctx, a.principal(), s.panelIssuer(), a.Email)
}

// ConfirmUserTOTP turns two-factor on for the user and returns recovery codes.
func (s *Service) ConfirmUserTOTP(ctx context.Context, a Actor, code string) ([]string, error) {
	return s.confirmTOTP(ctx, a.principal(), code, a.audit("", fmt.Sprintf("user:%d", a.UserID), "authenticator app"))
}

func (s *Service) userPasswordCheck(ctx context.Context, a Actor, password string) error {
	u, err := s.DB.Read().FindUserByID(ctx, a.UserID)
	if err != nil {
		return err
	}
	return s.checkCurrentPassword(ctx, u.PasswordHash, password)
}

// DisableUserTOTP turns the user's two-factor off after checking the password.
func (s *Service) DisableUserTOTP(ctx context.Context, a Actor, password string) error {
	if err := s.userPasswordCheck(ctx, a, password); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := removeTOTP(ctx, q, a.principal()); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("mfa.disable", fmt.Sprintf("user:%d", a.UserID), ""))
	})
}

// NewUserRecoveryCodes replaces the user's recovery codes after checking
// the password.
func (s *Service) NewUserRecoveryCodes(ctx context.Context, a Actor, password string) ([]string, error) {
	if err := s.userPasswordCheck(ctx, a, password); err != nil {
		return nil, err
	}
	return s.newRecoveryCodes(ctx, a.principal(), a.audit("", fmt.Sprintf("user:%d", a.UserID), ""))
}

// ResetUserMFA removes an operator user's second factor (for one who lost
// their phone and codes); the CLI calls it, on the host, as "system".
// Owners do the same in the panel through ResetOperatorMFA.
func (s *Service) ResetUserMFA(ctx context.Context, email string) error {
	u, err := s.DB.Read().FindUserByEmail(ctx, email)
	if err != nil {
		return err
	}
	return s.resetUserMFA(ctx, u, store.AuditEntry{Actor: "system", Action: "mfa.reset", Target: userTarget(u.ID), Detail: u.Email}, nil)
}

// SetOwnIPAllowlist sets the addresses the user may work from (panel and
// API). The list must include the address the user is on now, so nobody
// locks themselves out by a typo.
func (s *Service) SetOwnIPAllowlist(ctx context.Context, a Actor, entries []string) error {
	list := portico.NormalizeAllowlist(entries)
	if msg := portico.ValidateAllowlist(list); msg != "" {
		return portico.FieldError("ip_allowlist", msg)
	}
	if !portico.AllowlistAllows(list, a.IP) {
		return portico.FieldError("ip_allowlist", "The list must include the address you are using now ("+a.IP+"), or you would lock yourself out.")
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.SetUserIPAllowlist(ctx, a.UserID, list); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("user.ip_allowlist", fmt.Sprintf("user:%d", a.UserID), strings.Join(list, " ")))
	})
}

// ContactSecurity is what the panel shows about a contact's logins.
type ContactSecurity struct {
	Sessions []SessionView
	MFA      MFAStatus
	Required store.Require2FA
}

// FindContactSecurity reads a contact's sessions and second factor.
func (s *Service) FindContactSecurity(ctx context.Context, contactID int64) (*ContactSecurity, error) {
	q := s.DB.Read()
	c, err := q.FindContactByID(ctx, contactID)
	if err != nil {
		return nil, err
	}
	list, err := q.FindContactSessionsByID(ctx, contactID)
	if err != nil {
		return nil, err
	}
	out := &ContactSecurity{Sessions: sessionViews(list, 0)}
	if out.MFA, err = s.mfaStatus(ctx, store.Principal{ContactID: contactID}); err != nil {
		return nil, err
	}
	out.Required, err = q.FindRequire2FA(ctx, c.AccountID)
	return out, err
}

// EndContactSessionsFor ends every session of a contact for the operator
// (a lost laptop, a leaver) and reports how many ended.
func (s *Service) EndContactSessionsFor(ctx context.Context, a Actor, contactID int64) (int64, error) {
	if err := a.mustWrite(); err != nil {
		return 0, err
	}
	var n int64
	err := s.DB.Write(ctx, func(q *store.Q) error {
		c, err := q.FindContactByID(ctx, contactID)
		if err != nil {
			return err
		}
		if n, err = q.DeleteContactSessions(ctx, c.ID, ""); err != nil {
			return err
		}
		e := a.audit("contact.sessions_end", contactTarget(c), fmt.Sprintf("%s: %d session(s) ended", c.Email, n))
		e.AccountID = &c.AccountID
		return q.Audit(ctx, e)
	})
	return n, err
}

// ResetContactMFA removes a contact's second factor (a lost phone) for the
// operator. If the brand or account requires two-factor, the contact sets
// it up again at the next login.
func (s *Service) ResetContactMFA(ctx context.Context, a Actor, contactID int64) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		c, err := q.FindContactByID(ctx, contactID)
		if err != nil {
			return err
		}
		if err := removeTOTP(ctx, q, store.Principal{ContactID: c.ID}); err != nil {
			return err
		}
		e := a.audit("mfa.reset", contactTarget(c), c.Email)
		e.AccountID = &c.AccountID
		return q.Audit(ctx, e)
	})
}

// DomainRequires2FA reads whether a brand (domain) demands two-factor.
func (s *Service) DomainRequires2FA(ctx context.Context, domainID int64) (bool, error) {
	return s.DB.Read().DomainRequires2FA(ctx, domainID)
}

// AccountRequires2FA reads what applies to an account's contacts.
func (s *Service) AccountRequires2FA(ctx context.Context, accountID int64) (store.Require2FA, error) {
	return s.DB.Read().FindRequire2FA(ctx, accountID)
}

// SetDomainRequire2FA makes every contact of a brand's accounts use
// two-factor (on), or leaves it to each account (off).
func (s *Service) SetDomainRequire2FA(ctx context.Context, a Actor, domainID int64, on bool) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.SetRequire2FA(ctx, "domains", domainID, on); err != nil {
			return notFoundAs(err, portico.Errorf(portico.ENOTFOUND, "Domain not found."))
		}
		return q.Audit(ctx, a.audit("domain.require_2fa", fmt.Sprintf("domain:%d", domainID), fmt.Sprint(on)))
	})
}

// SetAccountRequire2FA makes every contact of one account use two-factor.
func (s *Service) SetAccountRequire2FA(ctx context.Context, a Actor, kind portico.AccountKind, id int64, on bool) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		acc, err := findAccountOfKind(ctx, q, kind, id)
		if err != nil {
			return err
		}
		if err := q.SetRequire2FA(ctx, "accounts", acc.ID, on); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit(string(kind)+".require_2fa", accountTarget(acc), fmt.Sprint(on)))
	})
}

// ListAudit lists the audit log newest first with the filter's conditions;
// f.Before is the cursor.
func (s *Service) ListAudit(ctx context.Context, f store.AuditFilter) (Page[store.AuditEntry], error) {
	q := s.DB.Read()
	return page(f.Limit, f.Before, func(e store.AuditEntry) int64 { return e.ID },
		func(before int64, limit int) ([]store.AuditEntry, error) {
			f.Before, f.Limit = before, limit
			return q.FilterAuditEntries(ctx, f)
		})
}

// StartImpersonation lets an operator see the portal as a contact does,
// for support: it returns a link, on the contact's brand domain and
// usable once within two minutes, that opens a support session there. The
// session ends after 30 minutes at most, every portal page shows a banner
// naming the operator, it is read-only unless the operator's role may
// write, and it can never change the contact's password, second factor or
// sessions. Starting one is audited on the account.
func (s *Service) StartImpersonation(ctx context.Context, a Actor, contactID int64) (string, error) {
	var link string
	err := s.DB.Write(ctx, func(q *store.Q) error {
		c, err := q.FindContactByID(ctx, contactID)
		if err != nil {
			return err
		}
		acc, err := q.FindAccountByID(ctx, c.AccountID)
		if err != nil {
			return err
		}
		if acc.DomainID == nil {
			return portico.Errorf(portico.ECONFLICT, "This account has no portal domain, so there is no portal to log into.")
		}
		if c.Disabled || !acc.CanLogIn() {
			return portico.Errorf(portico.ECONFLICT, "Only an enabled contact of an active account can log into the portal.")
		}
		brand, err := q.FindDomainByID(ctx, *acc.DomainID)
		if err != nil {
			return err
		}
		token, hash := auth.NewToken()
		uid, cid, did := a.UserID, c.ID, brand.ID
		if err := q.CreateOneTimeToken(ctx, hash, &store.OneTimeToken{Purpose: purposeImpersonate, UserID: &uid,
			ContactID: &cid, DomainID: &did, ExpiresAt: q.Now().Add(impersonateLinkLife)}); err != nil {
			return err
		}
		link = s.Links.URL(brand.Domain, "/support-session?token="+token)
		mode := "read-only"
		if a.mustWrite() == nil {
			mode = "read-write"
		}
		e := a.audit("contact.impersonate", contactTarget(c), fmt.Sprintf("support session as %s requested (%s)", c.Email, mode))
		e.AccountID = &acc.ID
		return q.Audit(ctx, e)
	})
	return link, err
}

// SupportLink is what the portal shows before a support session starts.
type SupportLink struct {
	OperatorEmail string
	ContactName   string
}

var badSupportLink = portico.Errorf(portico.ENOTFOUND, "This support link is invalid, already used or expired. Start again from the control panel.")

func (s *Service) openSupportLink(ctx context.Context, q *store.Q, brand *portico.Domain, token string, consume bool) (*store.OneTimeToken, *portico.User, *portico.Contact, error) {
	open := q.PeekOneTimeToken
	if consume {
		open = q.ConsumeOneTimeToken
	}
	t, err := open(ctx, auth.HashToken(token), purposeImpersonate)
	if err != nil {
		return nil, nil, nil, notFoundAs(err, badSupportLink)
	}
	if t.UserID == nil || t.ContactID == nil || t.DomainID == nil || *t.DomainID != brand.ID {
		return nil, nil, nil, badSupportLink
	}
	op, err := q.FindUserByID(ctx, *t.UserID)
	if err != nil || op.Disabled {
		return nil, nil, nil, badSupportLink
	}
	c, err := q.FindContactByID(ctx, *t.ContactID)
	if err != nil {
		return nil, nil, nil, notFoundAs(err, badSupportLink)
	}
	return t, op, c, nil
}

// CheckSupportLink reports what a support link would open, without using
// it (for the GET page with the button).
func (s *Service) CheckSupportLink(ctx context.Context, brand *portico.Domain, token string) (*SupportLink, error) {
	_, op, c, err := s.openSupportLink(ctx, s.DB.Read(), brand, token, false)
	if err != nil {
		return nil, err
	}
	return &SupportLink{OperatorEmail: op.Email, ContactName: c.Name}, nil
}

// BeginSupportSession uses a support link and opens the support session,
// returning its cookie token. Whether it may write is the operator's role
// now, not when the link was made.
func (s *Service) BeginSupportSession(ctx context.Context, brand *portico.Domain, token, ip string) (string, error) {
	session, hash := auth.NewToken()
	err := s.DB.Write(ctx, func(q *store.Q) error {
		_, op, c, err := s.openSupportLink(ctx, q, brand, token, true)
		if err != nil {
			return err
		}
		if !portico.AllowlistAllows(op.IPAllowlist, ip) {
			return badSupportLink
		}
		cid, did, uid := c.ID, brand.ID, op.ID
		sess := &store.Session{Kind: store.SessionPortal, ContactID: &cid, DomainID: &did, ImpersonatorID: &uid,
			CanWrite: op.CanWrite(), IP: ip, UserAgent: portico.ClientFrom(ctx).UserAgent,
			ExpiresAt: q.Now().Add(ImpersonationLifetime)}
		if err := q.CreateSession(ctx, hash, sess); err != nil {
			return err
		}
		mode := "read-only"
		if sess.CanWrite {
			mode = "read-write"
		}
		return q.Audit(ctx, store.AuditEntry{Actor: userActor(op) + " as " + contactActor(c), Action: "impersonation.start",
			Target: contactTarget(c), AccountID: &c.AccountID, IP: ip,
			Detail: fmt.Sprintf("%s support session until %s", mode, sess.ExpiresAt.Format("15:04 UTC"))})
	})
	return session, err
}
