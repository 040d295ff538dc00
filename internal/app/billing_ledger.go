package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"portico/internal/portico"
	"portico/internal/store"
)

// Idempotency scopes: a key is unique within one kind of request.
const (
	idemPayments    = "payments"
	idemAdjustments = "adjustments"
)

// MaxIdempotencyKey bounds an Idempotency-Key header.
const MaxIdempotencyKey = 255

// idempotent runs work in one transaction keyed by an Idempotency-Key:
//
//   - a new key runs work and stores its result (as JSON) with a
//     fingerprint of the request, in work's transaction;
//   - a key seen before with the same fingerprint runs nothing and decodes
//     the stored result into result instead (replayed = true), so the
//     client gets the first answer again;
//   - a key seen before with another fingerprint is refused (EINVALID).
//
// Two requests with one key at the same moment: on SQLite the single
// writer orders them; on PostgreSQL the second's insert of the key fails,
// its work rolls back, and it is retried as a replay.
func (s *Service) idempotent(ctx context.Context, scope, key, fingerprint string, result any, work func(q *store.Q) error) (replayed bool, err error) {
	if key == "" {
		return false, s.DB.Write(ctx, work)
	}
	if len(key) > MaxIdempotencyKey || strings.TrimSpace(key) != key {
		return false, portico.FieldError("idempotency_key", fmt.Sprintf("Idempotency-Key must be 1 to %d characters without surrounding spaces.", MaxIdempotencyKey))
	}
	sum := sha256.Sum256([]byte(fingerprint))
	hash := hex.EncodeToString(sum[:])
	for attempt := 0; ; attempt++ {
		err = s.DB.Write(ctx, func(q *store.Q) error {
			prev, err := q.FindIdempotentResponse(ctx, scope, key)
			if err != nil {
				return err
			}
			if prev != nil {
				if prev.RequestHash != hash {
					return portico.FieldError("idempotency_key", "This Idempotency-Key was already used with a different request; use a new key for a new request.")
				}
				replayed = true
				return json.Unmarshal([]byte(prev.Response), result)
			}
			if err := work(q); err != nil {
				return err
			}
			b, err := json.Marshal(result)
			if err != nil {
				return err
			}
			return q.SaveIdempotentResponse(ctx, scope, key, store.IdempotentResponse{RequestHash: hash, Response: string(b)})
		})
		if !errors.Is(err, store.ErrIdempotencyRace) || attempt > 0 {
			return replayed, err
		}
	}
}

// CreatePayment records a payment; a completed one is credited to the
// account's ledger at once. With an idempotency key, a repeat of the same
// request returns the first payment (replayed) and changes nothing.
func (s *Service) CreatePayment(ctx context.Context, a Actor, p *portico.Payment, idemKey string) (replayed bool, err error) {
	if err := a.mustWrite(); err != nil {
		return false, err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return false, err
	}
	if err := s.mustBeAccount(ctx, p.AccountID); err != nil {
		return false, err
	}
	fingerprint := fmt.Sprintf("%d\x00%d\x00%s\x00%s", p.AccountID, p.Amount, p.Status, p.Description)
	return s.idempotent(ctx, idemPayments, idemKey, fingerprint, p, func(q *store.Q) error {
		if err := q.CreatePayment(ctx, p); err != nil {
			return err
		}
		if p.Status == portico.PaymentCompleted {
			if err := q.AddLedgerEntries(ctx, paymentEntry(p, p.Amount, "Payment")); err != nil {
				return err
			}
		}
		return q.Audit(ctx, a.audit("payment.create", fmt.Sprintf("account:%d", p.AccountID),
			fmt.Sprintf("payment %d: %s %s", p.ID, p.Amount, p.Status)))
	})
}

func paymentEntry(p *portico.Payment, amount portico.Money, what string) *portico.LedgerEntry {
	desc := fmt.Sprintf("%s #%d", what, p.ID)
	if p.Description != "" {
		desc += ": " + p.Description
	}
	return &portico.LedgerEntry{AccountID: p.AccountID, Kind: portico.LedgerPayment, Amount: amount, PaymentID: &p.ID, Description: desc}
}

// SetPaymentStatus moves a payment to status: pending → completed credits
// the account; completed → cancelled reverses that credit with a new
// entry; pending → cancelled touches no money. Setting the status it
// already has changes nothing.
func (s *Service) SetPaymentStatus(ctx context.Context, a Actor, id int64, status string) (*portico.Payment, error) {
	if err := a.mustWrite(); err != nil {
		return nil, err
	}
	status = strings.ToLower(strings.TrimSpace(status))
	if !portico.ValidPaymentStatus(status) {
		return nil, portico.FieldError("status", "Status must be pending, completed or cancelled.")
	}
	var p *portico.Payment
	err := s.DB.Write(ctx, func(q *store.Q) error {
		var err error
		if p, err = q.FindPaymentByID(ctx, id); err != nil {
			return err
		}
		if p.Status == status {
			return nil
		}
		if !portico.PaymentTransitionAllowed(p.Status, status) {
			return portico.FieldError("status", fmt.Sprintf("A %s payment cannot become %s.", p.Status, status))
		}
		if err := q.SetPaymentStatus(ctx, id, p.Status, status); err != nil {
			return err
		}
		var entry *portico.LedgerEntry
		switch {
		case status == portico.PaymentCompleted:
			entry = paymentEntry(p, p.Amount, "Payment")
		case p.Status == portico.PaymentCompleted:
			entry = paymentEntry(p, -p.Amount, "Cancelled payment")
		}
		if entry != nil {
			if err := q.AddLedgerEntries(ctx, entry); err != nil {
				return err
			}
		}
		if err := q.Audit(ctx, a.audit("payment.status", fmt.Sprintf("account:%d", p.AccountID),
			fmt.Sprintf("payment %d: %s → %s", p.ID, p.Status, status))); err != nil {
			return err
		}
		p, err = q.FindPaymentByID(ctx, id)
		return err
	})
	return p, err
}

// AddLedgerEntry records an adjustment (either sign) or a credit
// (positive) typed by the operator, idempotently like CreatePayment.
func (s *Service) AddLedgerEntry(ctx context.Context, a Actor, e *portico.LedgerEntry, idemKey string) (replayed bool, err error) {
	if err := a.mustWrite(); err != nil {
		return false, err
	}
	e.Normalize()
	if err := e.ValidateManual(); err != nil {
		return false, err
	}
	if err := s.mustBeAccount(ctx, e.AccountID); err != nil {
		return false, err
	}
	fingerprint := fmt.Sprintf("%d\x00%d\x00%s\x00%s", e.AccountID, e.Amount, e.Kind, e.Description)
	return s.idempotent(ctx, idemAdjustments, idemKey, fingerprint, e, func(q *store.Q) error {
		if err := q.AddLedgerEntries(ctx, e); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit("ledger."+e.Kind, fmt.Sprintf("account:%d", e.AccountID), fmt.Sprintf("%s: %s", e.Amount, e.Description)))
	})
}

// mustBeAccount turns a missing account in a request body into a field
// error (the body names it, so it is a 422, not a 404).
func (s *Service) mustBeAccount(ctx context.Context, id int64) error {
	_, err := s.DB.Read().FindAccountByID(ctx, id)
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		return portico.FieldError("account_id", fmt.Sprintf("Account %d does not exist.", id))
	}
	return err
}

// AccountBalance returns the balance of an account of the given kind:
// the sum of its ledger, its credit limit, and what is available.
func (s *Service) AccountBalance(ctx context.Context, kind portico.AccountKind, id int64) (*portico.Balance, error) {
	q := s.DB.Read()
	acc, err := findAccountOfKind(ctx, q, kind, id)
	if err != nil {
		return nil, err
	}
	sum, err := q.AccountBalance(ctx, id)
	if err != nil {
		return nil, err
	}
	return &portico.Balance{AccountID: id, Currency: acc.Currency, Balance: sum, CreditLimit: acc.CreditLimit, Available: sum + acc.CreditLimit}, nil
}

// FindAccountByID returns an account of either kind (for filters that
// take any account).
func (s *Service) FindAccountByID(ctx context.Context, id int64) (*portico.Account, error) {
	return s.DB.Read().FindAccountByID(ctx, id)
}

// FindPayment returns one payment.
func (s *Service) FindPayment(ctx context.Context, id int64) (*portico.Payment, error) {
	return s.DB.Read().FindPaymentByID(ctx, id)
}

// ListPayments lists payments matching f by id.
func (s *Service) ListPayments(ctx context.Context, f portico.PaymentFilter) (Page[*portico.Payment], error) {
	q := s.DB.Read()
	return page(f.Limit, f.After, func(p *portico.Payment) int64 { return p.ID },
		func(after int64, limit int) ([]*portico.Payment, error) {
			f.After, f.Limit = after, limit
			return q.FindPayments(ctx, f)
		})
}

// ListLedger lists an account's ledger entries by id.
func (s *Service) ListLedger(ctx context.Context, accountID, after int64, limit int) (Page[*portico.LedgerEntry], error) {
	q := s.DB.Read()
	if _, err := q.FindAccountByID(ctx, accountID); err != nil {
		return Page[*portico.LedgerEntry]{}, err
	}
	return page(limit, after, func(e *portico.LedgerEntry) int64 { return e.ID },
		func(after int64, limit int) ([]*portico.LedgerEntry, error) {
			return q.FindLedgerEntries(ctx, accountID, after, limit)
		})
}
