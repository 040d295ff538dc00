package app

import (
	"context"

	"portico/internal/store"
)

// ProfileInput holds what a contact may change about itself in the portal.
type ProfileInput struct {
	Name     string
	Phone    string
	TimeZone string
	Language string
}

// UpdateProfile saves the logged-in contact's own name, phone, time zone
// and language.
func (s *Service) UpdateProfile(ctx context.Context, u *PortalUser, in ProfileInput, ip string) error {
	if err := u.mayWrite(); err != nil {
		return err
	}
	c := *u.contact
	c.Name, c.Phone, c.TimeZone, c.Language = in.Name, in.Phone, in.TimeZone, in.Language
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := u.scope(q).UpdateContactProfile(ctx, &c); err != nil {
			return err
		}
		e := u.audit("contact.profile", contactTarget(&c), "")
		e.IP = ip
		return q.Audit(ctx, e)
	})
}
