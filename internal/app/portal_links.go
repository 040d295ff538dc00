package app

import (
	"context"
	"time"

	"portico/internal/auth"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
)

// Emailed portal links: single use, short-lived, bound to the brand whose
// domain they name (DESIGN.md: reset 30 min, verify 24 h).
const (
	purposeReset   = "portal_reset"
	resetLifetime  = 30 * time.Minute
	purposeVerify  = "portal_verify"
	verifyLifetime = 24 * time.Hour
)

var badLink = portico.Errorf(portico.ENOTFOUND, "This link is invalid, already used or expired.")

// newBrandLink stores a single-use token for a contact on brand and returns
// the absolute link to path on the brand's own domain. The URL comes from
// configuration, never from the request, so a forged Host cannot redirect it.
func (s *Service) newBrandLink(ctx context.Context, q *store.Q, brand *portico.Domain, contactID int64, purpose, path string, life time.Duration) (string, error) {
	token, hash := auth.NewToken()
	cid, did := contactID, brand.ID
	err := q.CreateOneTimeToken(ctx, hash, &store.OneTimeToken{Purpose: purpose, ContactID: &cid, DomainID: &did,
		ExpiresAt: q.Now().Add(life)})
	return s.Links.URL(brand.Domain, path+"?token="+token), err
}

// openBrandLink finds a usable token of purpose made on brand, and marks it
// used when consume is set (only POSTs consume: mail scanners prefetch
// GETs). A token of another brand is not found here.
func openBrandLink(ctx context.Context, q *store.Q, brand *portico.Domain, token, purpose string, consume bool) (*portico.Contact, error) {
	open := q.PeekOneTimeToken
	if consume {
		open = q.ConsumeOneTimeToken
	}
	t, err := open(ctx, auth.HashToken(token), purpose)
	if err != nil {
		return nil, notFoundAs(err, badLink)
	}
	if t.ContactID == nil || t.DomainID == nil || *t.DomainID != brand.ID {
		return nil, badLink
	}
	c, err := q.FindContactByID(ctx, *t.ContactID)
	if err != nil {
		return nil, notFoundAs(err, badLink)
	}
	return c, nil
}

// brandMail starts the data of a portal email with the brand's look; the
// brand's name and domain are added by queueMail.
func (s *Service) brandMail(brand *portico.Domain, to, name string) mail.Data {
	d := mail.Data{To: to, Name: name, Color: brand.PrimaryColor}
	if brand.HasLogo {
		d.LogoURL = s.Links.URL(brand.Domain, "/logo")
	}
	return d
}

// onBrand reports whether acc belongs to brand's portal.
func onBrand(acc *portico.Account, brand *portico.Domain) bool {
	return acc.DomainID != nil && *acc.DomainID == brand.ID
}
