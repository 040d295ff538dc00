package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"portico/internal/auth"
	"portico/internal/portico"
	"portico/internal/store"
)

// Portal session lifetimes (DESIGN.md: idle 30 min, absolute 12 h).
const (
	PortalIdle     = 30 * time.Minute
	PortalAbsolute = 12 * time.Hour
)

// PortalUser is a contact logged into the portal of one brand. Only
// PortalSession and LoginContact make one, and its identity is unexported:
// portal use cases take the account from here, never from a form or URL.
type PortalUser struct {
	contact *portico.Contact
	account *portico.Account
	brand   *portico.Domain
	session *store.Session
	// tokenHash identifies the request's own session among the contact's.
	tokenHash string
	// impersonator is the operator user behind a support session, or nil.
	impersonator *portico.User
	mustEnrol    bool
}

// Contact returns a copy of the logged-in contact.
func (u *PortalUser) Contact() portico.Contact { return *u.contact }

// Account returns a copy of the contact's account, read fresh for this request.
func (u *PortalUser) Account() portico.Account { return *u.account }

// Sections lists what the account may see: the brand's access list after
// the account's show/hide overrides. The Carrier Portal is only ever for
// carriers, whatever the settings say.
func (u *PortalUser) Sections() []portico.Section {
	all := portico.EffectiveAccess(u.brand.Access, u.account.AccessOverrides)
	if u.account.Kind != portico.KindCarrier {
		all = slices.DeleteFunc(all, func(s portico.Section) bool { return s == portico.SectionCarrierPortal })
	}
	return all
}

// CanSee reports whether section is one of Sections.
func (u *PortalUser) CanSee(section portico.Section) bool {
	return slices.Contains(u.Sections(), section)
}

// MustEnrolMFA reports whether the brand or the account requires
// two-factor authentication and the contact has not set it up yet: then
// the security page is the only one open.
func (u *PortalUser) MustEnrolMFA() bool { return u.mustEnrol }

// SupportSession describes an operator's "log in as contact" session, for
// the banner every portal page shows during one.
type SupportSession struct {
	OperatorName  string
	OperatorEmail string
	ReadOnly      bool
	EndsAt        time.Time
}

// Support returns the support session this is, or nil for the contact's own.
func (u *PortalUser) Support() *SupportSession {
	if u.impersonator == nil {
		return nil
	}
	return &SupportSession{OperatorName: u.impersonator.Name, OperatorEmail: u.impersonator.Email,
		ReadOnly: u.ReadOnly(), EndsAt: u.session.ExpiresAt}
}

// ReadOnly reports whether this session may change nothing: a support
// session opened read-only, or whose operator's role is read-only now.
func (u *PortalUser) ReadOnly() bool {
	return !u.session.CanWrite || u.impersonator != nil && !u.impersonator.CanWrite()
}

// mayWrite refuses changes in a read-only support session.
func (u *PortalUser) mayWrite() error {
	if u.ReadOnly() {
		return portico.Errorf(portico.EFORBIDDEN, "This support session is read-only.")
	}
	return nil
}

// maySelfManage refuses changes to the contact's own credentials and
// sessions in any support session: only the person may change those.
func (u *PortalUser) maySelfManage() error {
	if u.impersonator != nil {
		return portico.Errorf(portico.EFORBIDDEN, "A support session cannot change the contact's password, two-factor settings or sessions.")
	}
	return nil
}

// actor is the audit log's name for who acts: the contact, or the
// operator acting as the contact.
func (u *PortalUser) actor() string {
	if u.impersonator != nil {
		return userActor(u.impersonator) + " as " + contactActor(u.contact)
	}
	return contactActor(u.contact)
}

func (u *PortalUser) audit(action, target, detail string) store.AuditEntry {
	id := u.account.ID
	return store.AuditEntry{Actor: u.actor(), Action: action, Target: target, AccountID: &id, Detail: detail}
}

func (u *PortalUser) scope(q *store.Q) *store.AccountQ { return q.ForAccount(u.account.ID) }

func contactActor(c *portico.Contact) string { return fmt.Sprintf("contact:%d %s", c.ID, c.Email) }

// PortalLogin is a login that got past the password: the cookie token,
// whether the contact must choose a new password before anything else, and
// whether the session still awaits the second factor.
type PortalLogin struct {
	Token      string
	MustChange bool
	NeedsMFA   bool
}

// LoginContact checks a contact's credentials on brand and opens a session
// bound to it, ending the session behind oldToken (if any) so a login
// always rotates the cookie. Unknown emails, wrong passwords, disabled
// contacts, contacts of another brand, accounts that are not active and
// addresses outside the contact's allowlist all get the same error after
// the same hashing work. A throttled email (as typed) or address is
// refused at once, before any hashing, whoever it names. With two-factor
// on, the session opens no page until CompleteContactMFA.
func (s *Service) LoginContact(ctx context.Context, brand *portico.Domain, email, password, ip, oldToken string) (*PortalLogin, error) {
	byEmail, byIP := emailKey("portal-login", email), throttleKey("portal-login-ip", ip)
	if err := s.throttled(ctx, byEmail, byIP); err != nil {
		return nil, err
	}
	krs := []keyRule{{byEmail, ruleLoginEmail}, {byIP, ruleLoginIP}}
	q := s.DB.Read()
	c, err := q.FindContactByEmail(ctx, email)
	if err != nil && portico.ErrorCode(err) != portico.ENOTFOUND {
		return nil, err
	}
	if c == nil {
		if err := s.Hasher.VerifyDummy(ctx, password); err != nil {
			return nil, err
		}
		s.auditLoginFailure(ctx, "contact", email, ip, nil, krs...)
		return nil, badLogin
	}
	ok, rehash, err := s.Hasher.Verify(ctx, c.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	acc, err := q.ForAccount(c.AccountID).Account(ctx)
	if err != nil {
		return nil, err
	}
	if !ok || !mayUsePortal(c, acc, brand, ip) {
		s.auditLoginFailure(ctx, "contact", email, ip, &acc.ID, krs...)
		return nil, badLogin
	}
	mfa, err := q.FindTOTP(ctx, store.Principal{ContactID: c.ID})
	if err != nil {
		return nil, err
	}
	token, hash := auth.NewToken()
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if rehash {
			if h, err := s.Hasher.Hash(ctx, password); err == nil {
				if err := q.SetContactPassword(ctx, c.ID, h, c.MustChangePassword); err != nil {
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
		if mfa.Enabled {
			cid, did := c.ID, brand.ID
			if err := q.CreateSession(ctx, hash, &store.Session{Kind: store.SessionPortal, ContactID: &cid, DomainID: &did,
				IP: ip, UserAgent: portico.ClientFrom(ctx).UserAgent, Stage: store.StageMFA,
				ExpiresAt: q.Now().Add(mfaPendingLifetime)}); err != nil {
				return err
			}
			return q.Audit(ctx, store.AuditEntry{Actor: contactActor(c), Action: "contact.login.password",
				Target: domainTarget(brand), AccountID: &acc.ID, IP: ip, Detail: "second factor awaited"})
		}
		return s.finishContactLogin(ctx, q, hash, c, acc, brand, ip, "")
	})
	if err != nil {
		return nil, err
	}
	return &PortalLogin{Token: token, MustChange: c.MustChangePassword && !mfa.Enabled, NeedsMFA: mfa.Enabled}, nil
}

// finishContactLogin opens the full session and records the login.
func (s *Service) finishContactLogin(ctx context.Context, q *store.Q, hash string, c *portico.Contact, acc *portico.Account, brand *portico.Domain, ip, detail string) error {
	if err := createPortalSession(ctx, q, hash, c, brand, ip); err != nil {
		return err
	}
	if err := q.RecordContactLogin(ctx, c.ID); err != nil {
		return err
	}
	return q.Audit(ctx, store.AuditEntry{Actor: contactActor(c), Action: "contact.login",
		Target: domainTarget(brand), AccountID: &acc.ID, IP: ip, Detail: detail})
}

var loginExpired = portico.Errorf(portico.EUNAUTHORIZED, "Your login has expired; please log in again.")

// CompleteContactMFA checks the second factor of a portal session that
// awaits it on brand and replaces it with a full session.
func (s *Service) CompleteContactMFA(ctx context.Context, brand *portico.Domain, token, code, ip string) (*PortalLogin, error) {
	hash := auth.HashToken(token)
	q := s.DB.Read()
	sess, err := q.FindSession(ctx, hash, store.SessionPortal, mfaPendingLifetime)
	if err != nil || sess.Stage != store.StageMFA || sess.ContactID == nil || sess.DomainID == nil || *sess.DomainID != brand.ID {
		return nil, loginExpired
	}
	c, err := q.FindContactByID(ctx, *sess.ContactID)
	if err != nil {
		return nil, notFoundAs(err, loginExpired)
	}
	acc, err := q.ForAccount(c.AccountID).Account(ctx)
	if err != nil {
		return nil, err
	}
	if !mayUsePortal(c, acc, brand, ip) {
		return nil, loginExpired
	}
	next, nextHash := auth.NewToken()
	fail := store.AuditEntry{Actor: contactActor(c), Action: "contact.login.mfa", Target: domainTarget(brand), AccountID: &acc.ID, IP: ip}
	err = s.verifyPending(ctx, store.Principal{ContactID: c.ID}, code, ip, fail, func(q *store.Q, recovery bool) error {
		if err := q.DeleteSession(ctx, hash); err != nil {
			return err
		}
		return s.finishContactLogin(ctx, q, nextHash, c, acc, brand, ip, factorDetail(recovery))
	})
	if err != nil {
		return nil, err
	}
	return &PortalLogin{Token: next, MustChange: c.MustChangePassword}, nil
}

func createPortalSession(ctx context.Context, q *store.Q, hash string, c *portico.Contact, brand *portico.Domain, ip string) error {
	cid, did := c.ID, brand.ID
	return q.CreateSession(ctx, hash, &store.Session{Kind: store.SessionPortal, ContactID: &cid, DomainID: &did,
		IP: ip, UserAgent: portico.ClientFrom(ctx).UserAgent, ExpiresAt: q.Now().Add(PortalAbsolute)})
}

// mayUsePortal holds every rule besides the password: an enabled contact,
// of an active account, whose brand is the one asked, from an allowed
// address.
func mayUsePortal(c *portico.Contact, acc *portico.Account, brand *portico.Domain, ip string) bool {
	if c.Disabled || !acc.CanLogIn() || !onBrand(acc, brand) {
		return false
	}
	return portico.AllowlistAllows(c.IPAllowlist, ip)
}

var pleaseLogIn = portico.Errorf(portico.EUNAUTHORIZED, "Please log in.")

// ErrMFAPending is the answer to a page asked for by a session whose
// password was right but whose second factor is still awaited: the
// caller sends it back to the code form rather than dropping the login.
var ErrMFAPending = portico.Errorf(portico.EUNAUTHORIZED, "Enter the code from your authenticator app to finish logging in.")

// notFoundAs replaces a not-found error (a vanished session, link or
// contact) with the one answer the user gets, and passes real failures
// through.
func notFoundAs(err, answer error) error {
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		return answer
	}
	return err
}

// PortalSession returns the contact behind a session cookie on brand and
// renews its idle timer. The contact and account are read fresh, so a
// change in the panel (disable, suspend, new overrides, another brand, a
// new allowlist) applies on the next request. A session made on another
// brand's host is not a session here, nor is one still awaiting its second
// factor. A support session needs its operator still enabled and inside
// the operator's own allowlist.
func (s *Service) PortalSession(ctx context.Context, brand *portico.Domain, token, ip string) (*PortalUser, error) {
	if token == "" {
		return nil, pleaseLogIn
	}
	hash := auth.HashToken(token)
	q := s.DB.Read()
	sess, err := q.FindSession(ctx, hash, store.SessionPortal, PortalIdle)
	if err != nil {
		return nil, notFoundAs(err, pleaseLogIn)
	}
	if sess.ContactID == nil || sess.DomainID == nil || *sess.DomainID != brand.ID {
		return nil, pleaseLogIn
	}
	if sess.Stage != store.StageFull {
		return nil, ErrMFAPending
	}
	c, err := q.FindContactByID(ctx, *sess.ContactID)
	if err != nil {
		return nil, notFoundAs(err, pleaseLogIn)
	}
	acc, err := q.ForAccount(c.AccountID).Account(ctx)
	if err != nil {
		return nil, err
	}
	u := &PortalUser{contact: c, account: acc, brand: brand, session: sess, tokenHash: hash}
	if sess.ImpersonatorID != nil {
		op, err := q.FindUserByID(ctx, *sess.ImpersonatorID)
		if err != nil || op.Disabled || !portico.AllowlistAllows(op.IPAllowlist, ip) ||
			c.Disabled || !acc.CanLogIn() || !onBrand(acc, brand) {
			return nil, pleaseLogIn
		}
		u.impersonator = op
	} else {
		if !mayUsePortal(c, acc, brand, ip) {
			return nil, pleaseLogIn
		}
		req, err := q.FindRequire2FA(ctx, acc.ID)
		if err != nil {
			return nil, err
		}
		if req.Any() {
			mfa, err := q.FindTOTP(ctx, store.Principal{ContactID: c.ID})
			if err != nil {
				return nil, err
			}
			u.mustEnrol = !mfa.Enabled
		}
	}
	// Renew at most once a minute so page views are not all writes.
	if q.Now().Sub(sess.LastSeenAt) > time.Minute {
		if err := s.DB.Write(ctx, func(q *store.Q) error { return q.TouchSession(ctx, hash) }); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func domainTarget(d *portico.Domain) string { return fmt.Sprintf("domain:%d", d.ID) }
