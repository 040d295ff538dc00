package app

import (
	"context"

	"portico/internal/portico"
	"portico/internal/store"
)

// Page sizes for keyset-paged lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Page is one page of a list in id order. Next is the cursor of the
// following page (the last id on this page) and 0 when this is the last page.
type Page[T any] struct {
	Items []T
	Next  int64
}

// page fetches up to limit items after cursor. A full page probes for one
// more row, so Next is 0 on the last page even when the total is an exact
// multiple of limit and the caller never follows a cursor to an empty page.
func page[T any](limit int, cursor int64, id func(T) int64, fetch func(cursor int64, limit int) ([]T, error)) (Page[T], error) {
	if limit <= 0 || limit > MaxPageSize {
		limit = DefaultPageSize
	}
	items, err := fetch(cursor, limit)
	if err != nil || len(items) < limit {
		return Page[T]{Items: items}, err
	}
	last := id(items[len(items)-1])
	more, err := fetch(last, 1)
	if err != nil {
		return Page[T]{}, err
	}
	p := Page[T]{Items: items}
	if len(more) > 0 {
		p.Next = last
	}
	return p, nil
}

// FindDomain returns one portal domain.
func (s *Service) FindDomain(ctx context.Context, id int64) (*portico.Domain, error) {
	return s.DB.Read().FindDomainByID(ctx, id)
}

// ListDomains lists portal domains by id, limit at a time after the cursor.
func (s *Service) ListDomains(ctx context.Context, after int64, limit int) (Page[*portico.Domain], error) {
	q := s.DB.Read()
	return page(limit, after, func(d *portico.Domain) int64 { return d.ID },
		func(after int64, limit int) ([]*portico.Domain, error) {
			return q.FindDomains(ctx, store.DomainFilter{After: after, Limit: limit})
		})
}

// ListAccounts lists accounts matching f by id; f.After is the cursor.
func (s *Service) ListAccounts(ctx context.Context, f portico.AccountFilter) (Page[*portico.Account], error) {
	q := s.DB.Read()
	return page(f.Limit, f.After, func(a *portico.Account) int64 { return a.ID },
		func(after int64, limit int) ([]*portico.Account, error) {
			f.After, f.Limit = after, limit
			return q.FindAccounts(ctx, f)
		})
}

// FindContact returns one contact.
func (s *Service) FindContact(ctx context.Context, id int64) (*portico.Contact, error) {
	return s.DB.Read().FindContactByID(ctx, id)
}

// ListContacts lists the contacts of an account of the given kind by id; an
// account of the other kind is not found.
func (s *Service) ListContacts(ctx context.Context, kind portico.AccountKind, accountID, after int64, limit int) (Page[*portico.Contact], error) {
	q := s.DB.Read()
	if _, err := findAccountOfKind(ctx, q, kind, accountID); err != nil {
		return Page[*portico.Contact]{}, err
	}
	return page(limit, after, func(c *portico.Contact) int64 { return c.ID },
		func(after int64, limit int) ([]*portico.Contact, error) {
			return q.FindContactsByAccount(ctx, accountID, after, limit)
		})
}

// ListEmails lists the email log newest first. The cursor runs downwards:
// the page holds ids below before (0 = from the newest), and Next is the
// smallest id on it.
func (s *Service) ListEmails(ctx context.Context, before int64, limit int) (Page[*portico.Email], error) {
	q := s.DB.Read()
	return page(limit, before, func(e *portico.Email) int64 { return e.ID },
		func(before int64, limit int) ([]*portico.Email, error) {
			return q.FindEmails(ctx, portico.EmailFilter{Before: before, Limit: limit})
		})
}
