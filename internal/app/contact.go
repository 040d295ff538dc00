package app

import (
	"context"
	"fmt"

	"portico/internal/auth"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
)

// PasswordChoice is how the operator sets a contact's password: generated
// (and emailed, to be changed at first login) or typed.
type PasswordChoice struct {
	AutoGenerate bool
	Password     string // used when AutoGenerate is false
}

// CreateContact validates and saves a contact of an account. With
// AutoGenerate a strong password is generated, only its hash stored, the
// contact must change it at first login, and a welcome email with the login
// URL on the account's brand domain carries it (sealed in the outbox).
func (s *Service) CreateContact(ctx context.Context, a Actor, c *portico.Contact, pw PasswordChoice) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	c.Normalize()
	fields := portico.FieldErrors{}
	if err := c.Validate(); err != nil {
		for k, v := range portico.ErrorFields(err) {
			fields.Add(k, v)
		}
	}
	var acc *portico.Account
	var brand *portico.Domain
	if err := s.loadAccountBrand(ctx, c.AccountID, &acc, &brand); err != nil {
		return err
	}
	if pw.AutoGenerate && brand == nil {
		fields.Add("auto_generate_password", "This account has no portal domain, so there is no login page to email; set the account's domain first or type a password.")
	}
	plain, hash, err := s.choosePassword(ctx, pw, fields)
	if err != nil {
		return err
	}
	c.PasswordHash, c.MustChangePassword = hash, pw.AutoGenerate
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.CreateContact(ctx, c); err != nil {
			return err
		}
		if pw.AutoGenerate {
			d := mail.Data{To: c.Email, Name: c.Name, AccountName: acc.Name, AccountKind: string(acc.Kind)}
			if err := s.queueMail(ctx, q, brand, mail.KindWelcome, d, plain); err != nil {
				return err
			}
		}
		return q.Audit(ctx, a.audit("contact.create", contactTarget(c), fmt.Sprintf("%s (account %d, generated password: %v)", c.Email, c.AccountID, pw.AutoGenerate)))
	})
	if err == nil && pw.AutoGenerate {
		s.kickMail()
	}
	return err
}

// loadAccountBrand reads a contact's account and its brand (nil when the
// account has no portal domain).
func (s *Service) loadAccountBrand(ctx context.Context, accountID int64, acc **portico.Account, brand **portico.Domain) error {
	q := s.DB.Read()
	var err error
	if *acc, err = q.FindAccountByID(ctx, accountID); err != nil {
		return err
	}
	if (*acc).DomainID != nil {
		if *brand, err = q.FindDomainByID(ctx, *(*acc).DomainID); err != nil {
			return err
		}
	}
	return nil
}

// UpdateContact validates and saves a contact's details (not its password).
// Disabling a contact ends its sessions at once.
func (s *Service) UpdateContact(ctx context.Context, a Actor, c *portico.Contact) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.UpdateContact(ctx, c); err != nil {
			return err
		}
		if c.Disabled {
			if _, err := q.DeleteContactSessions(ctx, c.ID, ""); err != nil {
				return err
			}
		}
		return q.Audit(ctx, a.audit("contact.update", contactTarget(c), c.Email))
	})
}

// DeleteContact removes a contact and its sessions.
func (s *Service) DeleteContact(ctx context.Context, a Actor, id int64) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		c, err := q.FindContactByID(ctx, id)
		if err != nil {
			return err
		}
		if err := q.DeleteContact(ctx, id); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("contact.delete", contactTarget(c), c.Email))
	})
}

// SetContactPassword changes a contact's password for the operator:
// generated and emailed (must change at next login), or typed. Every
// session of the contact ends.
func (s *Service) SetContactPassword(ctx context.Context, a Actor, id int64, pw PasswordChoice) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	c, err := s.DB.Read().FindContactByID(ctx, id)
	if err != nil {
		return err
	}
	var acc *portico.Account
	var brand *portico.Domain
	if err := s.loadAccountBrand(ctx, c.AccountID, &acc, &brand); err != nil {
		return err
	}
	plain := pw.Password
	if pw.AutoGenerate {
		if brand == nil {
			return portico.FieldError("auto_generate_password", "This account has no portal domain, so there is no login page to email; type a password instead.")
		}
		plain = auth.GeneratePassword()
	} else if err := auth.CheckPolicy("password", plain); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, plain)
	if err != nil {
		return err
	}
	err = s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.SetContactPassword(ctx, id, hash, pw.AutoGenerate); err != nil {
			return err
		}
		if _, err := q.DeleteContactSessions(ctx, id, ""); err != nil {
			return err
		}
		if pw.AutoGenerate {
			d := mail.Data{To: c.Email, Name: c.Name, AccountName: acc.Name, AccountKind: string(acc.Kind)}
			if err := s.queueMail(ctx, q, brand, mail.KindPasswordChanged, d, plain); err != nil {
				return err
			}
		}
		return q.Audit(ctx, a.audit("contact.password", contactTarget(c), fmt.Sprintf("generated: %v", pw.AutoGenerate)))
	})
	if err == nil && pw.AutoGenerate {
		s.kickMail()
	}
	return err
}

func contactTarget(c *portico.Contact) string { return fmt.Sprintf("contact:%d", c.ID) }
