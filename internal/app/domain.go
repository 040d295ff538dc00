package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/gif" // registers decoders for logo checks
	_ "image/jpeg"
	_ "image/png"
	"net/http"

	"portico/internal/portico"
	"portico/internal/store"
)

// MaxLogoWidth is the widest logo accepted, in pixels.
const MaxLogoWidth = 350

// MaxLogoBytes bounds a logo upload.
const MaxLogoBytes = 512 << 10

// SMTPPasswordKeep, passed as a domain's SMTP password, keeps the stored one.
// The password is write-only, so an edit that does not mention it must not
// erase it.
const SMTPPasswordKeep = "\x00keep"

func (s *Service) sealSMTP(password string) (enc []byte, keep bool) {
	switch password {
	case SMTPPasswordKeep:
		return nil, true
	case "":
		return nil, false
	}
	return s.Box.Seal(password), false
}

// CreateDomain validates and saves a new portal domain.
func (s *Service) CreateDomain(ctx context.Context, a Actor, d *portico.Domain) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	enc, _ := s.sealSMTP(d.SMTP.Password)
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := s.checkTemplateAccount(ctx, q, d); err != nil {
			return err
		}
		if err := q.CreateDomain(ctx, d, enc); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("domain.create", fmt.Sprintf("domain:%d", d.ID), d.Domain))
	})
}

// UpdateDomain validates and saves an edited portal domain. Set
// d.SMTP.Password to SMTPPasswordKeep to keep the stored password.
func (s *Service) UpdateDomain(ctx context.Context, a Actor, d *portico.Domain) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	d.Normalize()
	pw := d.SMTP.Password
	if pw == SMTPPasswordKeep {
		d.SMTP.Password = ""
	}
	if err := d.Validate(); err != nil {
		return err
	}
	enc, keep := s.sealSMTP(pw)
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := s.checkTemplateAccount(ctx, q, d); err != nil {
			return err
		}
		if err := q.UpdateDomain(ctx, d, enc, keep); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("domain.update", fmt.Sprintf("domain:%d", d.ID), d.Domain))
	})
}

func (s *Service) checkTemplateAccount(ctx context.Context, q *store.Q, d *portico.Domain) error {
	if d.TemplateAccountID == nil {
		return nil
	}
	if _, err := q.FindAccountByID(ctx, *d.TemplateAccountID); err != nil {
		if portico.ErrorCode(err) == portico.ENOTFOUND {
			return portico.FieldError("template_account_id", "Template account does not exist.")
		}
		return err
	}
	return nil
}

// DeleteDomain removes a portal domain that no account uses.
func (s *Service) DeleteDomain(ctx context.Context, a Actor, id int64) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		d, err := q.FindDomainByID(ctx, id)
		if err != nil {
			return err
		}
		if err := q.DeleteDomain(ctx, id); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("domain.delete", fmt.Sprintf("domain:%d", id), d.Domain))
	})
}

// SetDomainLogo checks and stores a logo: PNG, JPEG or GIF (never SVG,
// which can carry script), at most MaxLogoWidth pixels wide. nil removes it.
func (s *Service) SetDomainLogo(ctx context.Context, a Actor, id int64, data []byte) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	var ct string
	if data != nil {
		var err error
		if ct, err = CheckLogo(data); err != nil {
			return err
		}
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.SetDomainLogo(ctx, id, data, ct); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("domain.logo", fmt.Sprintf("domain:%d", id), ct))
	})
}

// CheckLogo returns the content type of an acceptable logo, or a field error.
func CheckLogo(data []byte) (string, error) {
	if len(data) > MaxLogoBytes {
		return "", portico.FieldError("logo", "Logo must be at most 512 KB.")
	}
	ct := http.DetectContentType(data)
	switch ct {
	case "image/png", "image/jpeg", "image/gif":
	default:
		return "", portico.FieldError("logo", "Logo must be a PNG, JPEG or GIF image (SVG is not accepted).")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", portico.FieldError("logo", "Logo image could not be read.")
	}
	if cfg.Width > MaxLogoWidth {
		return "", portico.FieldError("logo", fmt.Sprintf("Logo is %d px wide; at most %d px is allowed.", cfg.Width, MaxLogoWidth))
	}
	return ct, nil
}
