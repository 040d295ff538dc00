package app

import (
	"context"
	"fmt"
	"net/netip"
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

func (u *PortalUser) scope(q *store.Q) *store.AccountQ { return q.ForAccount(u.account.ID) }

func contactActor(c *portico.Contact) string { return fmt.Sprintf("contact:%d %s", c.ID, c.Email) }

// PortalLogin is a successful login: the cookie token and whether the
// contact must choose a new password before anything else.
type PortalLogin struct {
	Token      string
	MustChange bool
}

// LoginContact checks a contact's credentials on brand and opens a session
// bound to it, ending the session behind oldToken (if any) so a login
// always rotates the cookie. Unknown emails, wrong passwords, disabled
// contacts, contacts of another brand, accounts that are not active and
// addresses outside the contact's allowlist all get the same error after
// the same hashing work.
func (s *Service) LoginContact(ctx context.Context, brand *portico.Domain, email, password, ip, oldToken string) (*PortalLogin, error) {
	q := s.DB.Read()
	c, err := q.FindContactByEmail(ctx, email)
	if err != nil && portico.ErrorCode(err) != portico.ENOTFOUND {
		return nil, err
	}
	if c == nil {
		if err := s.Hasher.VerifyDummy(ctx, password); err != nil {
			return nil, err
		}
		s.auditLoginFailure(ctx, "contact", email, ip)
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
		s.auditLoginFailure(ctx, "contact", email, ip)
		return nil, badLogin
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
		if err := createPortalSession(ctx, q, hash, c, brand, ip); err != nil {
			return err
		}
		if err := q.RecordContactLogin(ctx, c.ID); err != nil {
			return err
		}
		return q.Audit(ctx, store.AuditEntry{Actor: contactActor(c), Action: "contact.login",
			Target: domainTarget(brand), IP: ip})
	})
	if err != nil {
		return nil, err
	}
	return &PortalLogin{Token: token, MustChange: c.MustChangePassword}, nil
}

func createPortalSession(ctx context.Context, q *store.Q, hash string, c *portico.Contact, brand *portico.Domain, ip string) error {
	cid, did := c.ID, brand.ID
	return q.CreateSession(ctx, hash, &store.Session{Kind: store.SessionPortal, ContactID: &cid, DomainID: &did,
		IP: ip, ExpiresAt: q.Now().Add(PortalAbsolute)})
}

// mayUsePortal holds every rule besides the password: an enabled contact,
// of an active account, whose brand is the one asked, from an allowed
// address.
func mayUsePortal(c *portico.Contact, acc *portico.Account, brand *portico.Domain, ip string) bool {
	if c.Disabled || !acc.CanLogIn() || !onBrand(acc, brand) {
		return false
	}
	if len(c.IPAllowlist) == 0 {
		return true
	}
	addr, err := netip.ParseAddr(ip)
	return err == nil && c.AllowsIP(addr)
}

var pleaseLogIn = portico.Errorf(portico.EUNAUTHORIZED, "Please log in.")

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
// change in the panel (disable, suspend, new overrides, another brand)
// applies on the next request. A session made on another brand's host is
// not a session here.
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
	c, err := q.FindContactByID(ctx, *sess.ContactID)
	if err != nil {
		return nil, notFoundAs(err, pleaseLogIn)
	}
	acc, err := q.ForAccount(c.AccountID).Account(ctx)
	if err != nil {
		return nil, err
	}
	if !mayUsePortal(c, acc, brand, ip) {
		return nil, pleaseLogIn
	}
	// Renew at most once a minute so page views are not all writes.
	if q.Now().Sub(sess.LastSeenAt) > time.Minute {
		if err := s.DB.Write(ctx, func(q *store.Q) error { return q.TouchSession(ctx, hash) }); err != nil {
			return nil, err
		}
	}
	return &PortalUser{contact: c, account: acc, brand: brand}, nil
}

func domainTarget(d *portico.Domain) string { return fmt.Sprintf("domain:%d", d.ID) }
