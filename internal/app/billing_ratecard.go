package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
)

// CreateRateCard validates and saves a new, empty rate card.
func (s *Service) CreateRateCard(ctx context.Context, a Actor, c *portico.RateCard) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	if c.Currency == "" {
		c.Currency = s.DefaultCurrency
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := q.CreateRateCard(ctx, c); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("ratecard.create", rateCardTarget(c.ID), c.Name))
	})
}

// UpdateRateCard saves a card's settings. Its currency may change only
// while no account with another currency uses it.
func (s *Service) UpdateRateCard(ctx context.Context, a Actor, c *portico.RateCard) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		_, other, err := q.RateCardAccounts(ctx, c.ID, c.Currency)
		if err != nil {
			return err
		}
		if other > 0 {
			return portico.FieldError("currency", fmt.Sprintf("%d account(s) using this card bill in another currency; the card's currency must match theirs.", other))
		}
		if err := q.UpdateRateCard(ctx, c); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("ratecard.update", rateCardTarget(c.ID), c.Name))
	})
}

// DeleteRateCard deletes a card and all its versions. A card assigned to
// an account is a conflict. CDRs keep the rates they were rated with.
func (s *Service) DeleteRateCard(ctx context.Context, a Actor, id int64) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		c, err := q.FindRateCardByID(ctx, id)
		if err != nil {
			return err
		}
		if err := q.DeleteRateCard(ctx, id); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("ratecard.delete", rateCardTarget(id), c.Name))
	})
}

// FindRateCard returns a card and its versions, newest first.
func (s *Service) FindRateCard(ctx context.Context, id int64) (*portico.RateCard, []*portico.RateCardVersion, error) {
	q := s.DB.Read()
	c, err := q.FindRateCardByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	versions, err := q.FindRateCardVersions(ctx, id)
	return c, versions, err
}

// FindRateCardByName returns the card with this exact name.
func (s *Service) FindRateCardByName(ctx context.Context, name string) (*portico.RateCard, error) {
	return s.DB.Read().FindRateCardByName(ctx, name)
}

// ListRateCards lists cards by id.
func (s *Service) ListRateCards(ctx context.Context, after int64, limit int) (Page[*portico.RateCard], error) {
	q := s.DB.Read()
	return page(limit, after, func(c *portico.RateCard) int64 { return c.ID },
		func(after int64, limit int) ([]*portico.RateCard, error) { return q.FindRateCards(ctx, after, limit) })
}

// ListRates lists the rows of one version of a card (the newest when
// f.Version is 0).
func (s *Service) ListRates(ctx context.Context, f store.RateFilter) (Page[portico.Rate], error) {
	q := s.DB.Read()
	if _, err := q.FindRateCardByID(ctx, f.CardID); err != nil {
		return Page[portico.Rate]{}, err
	}
	return page(f.Limit, f.After, func(r portico.Rate) int64 { return r.ID },
		func(after int64, limit int) ([]portico.Rate, error) {
			f.After, f.Limit = after, limit
			return q.FindRates(ctx, f)
		})
}

// ImportRates reads a rate deck (see billing.ReadRates) and loads it as the
// card's next version. A deck with any bad line loads nothing and the
// error lists every problem by line. Loading the same rows as the newest
// version again adds no version: created is then false and v is that
// newest version.
func (s *Service) ImportRates(ctx context.Context, a Actor, cardID int64, r io.Reader, opts billing.RatesOptions, source string) (v *portico.RateCardVersion, created bool, err error) {
	if err := a.mustWrite(); err != nil {
		return nil, false, err
	}
	if _, err := s.DB.Read().FindRateCardByID(ctx, cardID); err != nil {
		return nil, false, err
	}
	rows, err := billing.ReadRates(r, opts)
	if err != nil {
		return nil, false, err
	}
	return s.LoadRates(ctx, a, cardID, rows, source)
}

// LoadRates stores rows as the card's next version, unless they are the
// rows of its newest version already.
func (s *Service) LoadRates(ctx context.Context, a Actor, cardID int64, rows []portico.Rate, source string) (v *portico.RateCardVersion, created bool, err error) {
	if err := a.mustWrite(); err != nil {
		return nil, false, err
	}
	errs := &portico.LineErrors{Unit: "row"}
	for i := range rows {
		errs.AddFields(i+1, rows[i].Validate())
	}
	if err := errs.Err(); err != nil {
		return nil, false, err
	}
	sum := ratesChecksum(rows)
	err = s.DB.Write(ctx, func(q *store.Q) error {
		card, err := q.FindRateCardByID(ctx, cardID)
		if err != nil {
			return err
		}
		if err := q.LockRateCard(ctx, cardID); err != nil {
			return err
		}
		versions, err := q.FindRateCardVersions(ctx, cardID)
		if err != nil {
			return err
		}
		if len(versions) > 0 && versions[0].Checksum == sum {
			v = versions[0]
			return nil
		}
		v = &portico.RateCardVersion{RateCardID: cardID, Checksum: sum, Source: source}
		if err := q.CreateRateCardVersion(ctx, v, rows); err != nil {
			return err
		}
		created = true
		return q.Audit(ctx, a.audit("ratecard.load", rateCardTarget(cardID),
			fmt.Sprintf("%s: version %d, %d rows from %s", card.Name, v.Version, v.Rows, source)))
	})
	if err != nil {
		return nil, false, err
	}
	return v, created, nil
}

// ratesChecksum identifies a set of rows whatever their order in the file.
func ratesChecksum(rows []portico.Rate) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = fmt.Sprintf("%s\x1f%s\x1f%d\x1f%d\x1f%d\x1f%d\x1f%s", r.Prefix, r.Name, r.Rate, r.ConnectionFee, r.MCD, r.Pulse,
			r.Effective.Format(portico.DateLayout))
	}
	slices.Sort(lines)
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(h[:])
}

// checkAccountRateCard refuses a rate card that does not exist or prices in
// another currency than the account bills in.
func checkAccountRateCard(ctx context.Context, q *store.Q, acc *portico.Account) error {
	if acc.RateCardID == nil {
		return nil
	}
	card, err := q.FindRateCardByID(ctx, *acc.RateCardID)
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		return portico.FieldError("ratecard_id", fmt.Sprintf("Rate card %d does not exist.", *acc.RateCardID))
	}
	if err != nil {
		return err
	}
	if card.Currency != acc.Currency {
		return portico.FieldError("ratecard_id", fmt.Sprintf("Rate card %q prices in %s but the account bills in %s.", card.Name, card.Currency, acc.Currency))
	}
	return nil
}

func rateCardTarget(id int64) string { return fmt.Sprintf("ratecard:%d", id) }
