package app

import (
	"context"
	"fmt"
	"strings"

	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
)

// CreateAccount validates and saves a customer or carrier made by the
// operator. Operator-made accounts default to active and to the operator's
// currency.
func (s *Service) CreateAccount(ctx context.Context, a Actor, acc *portico.Account) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	if acc.Status == "" {
		acc.Status = portico.StatusActive
	}
	if acc.Currency == "" {
		acc.Currency = s.DefaultCurrency
	}
	acc.Normalize()
	if err := acc.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		if err := checkAccountRateCard(ctx, q, acc); err != nil {
			return err
		}
		if err := q.CreateAccount(ctx, acc); err != nil {
			return domainFieldErr(err)
		}
		return q.Audit(ctx, a.audit(string(acc.Kind)+".create", accountTarget(acc), acc.Name))
	})
}

// UpdateAccount validates and saves an edited account. Its rate card stays
// as stored (acc.RateCardID is ignored), so a form that does not show the
// card cannot clear it; UpdateAccountAndRateCard changes both.
func (s *Service) UpdateAccount(ctx context.Context, a Actor, acc *portico.Account) error {
	return s.updateAccount(ctx, a, acc, true)
}

// UpdateAccountAndRateCard is UpdateAccount that also saves acc.RateCardID
// (nil: no card), for callers that show the card (the API).
func (s *Service) UpdateAccountAndRateCard(ctx context.Context, a Actor, acc *portico.Account) error {
	return s.updateAccount(ctx, a, acc, false)
}

func (s *Service) updateAccount(ctx context.Context, a Actor, acc *portico.Account, keepRateCard bool) error {
	if err := a.mustWrite(); err != nil {
		return err
	}
	acc.Normalize()
	if err := acc.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(q *store.Q) error {
		stored, err := findAccountOfKind(ctx, q, acc.Kind, acc.ID)
		if err != nil {
			return err
		}
		if keepRateCard {
			acc.RateCardID = stored.RateCardID
		}
		if err := keepCurrencyOnceUsed(ctx, q, stored, acc); err != nil {
			return err
		}
		if err := checkAccountRateCard(ctx, q, acc); err != nil {
			return err
		}
		if err := q.UpdateAccount(ctx, acc); err != nil {
			return domainFieldErr(err)
		}
		// An account that may no longer log in loses its sessions now:
		// re-activating it later must not bring them back.
		if err := endSessionsUnlessActive(ctx, q, acc); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit(string(acc.Kind)+".update", accountTarget(acc), accountDetail(acc)))
	})
}

// keepCurrencyOnceUsed refuses a new currency for an account with
// history: its balance, calls and traffic totals are counted in the
// currency it had, and amounts in two currencies never add up.
func keepCurrencyOnceUsed(ctx context.Context, q *store.Q, stored, next *portico.Account) error {
	if stored.Currency == next.Currency {
		return nil
	}
	used, err := q.AccountHasHistory(ctx, stored.ID)
	if err != nil || !used {
		return err
	}
	return portico.FieldError("currency", "The currency stays "+stored.Currency+
		": the account already has calls, payments, ledger entries or portal logins counted in it.")
}

// endSessionsUnlessActive ends every session of the account's contacts
// when its status no longer lets them log in (suspended, rejected,
// archived, pending).
func endSessionsUnlessActive(ctx context.Context, q *store.Q, acc *portico.Account) error {
	if acc.CanLogIn() {
		return nil
	}
	_, err := q.DeleteAccountSessions(ctx, acc.ID)
	return err
}

// accountDetail sums up an account's state for the audit log: its name,
// status and access overrides (access changes are security-relevant).
func accountDetail(acc *portico.Account) string {
	d := acc.Name + "; status " + acc.Status
	if len(acc.AccessOverrides) > 0 {
		var parts []string
		for _, s := range portico.Sections {
			if show, ok := acc.AccessOverrides[s]; ok {
				verb := "hide"
				if show {
					verb = "show"
				}
				parts = append(parts, verb+" "+string(s))
			}
		}
		d += "; access: " + strings.Join(parts, ", ")
	}
	return d
}

// domainFieldErr pins a missing-domain conflict on the domain_id field.
func domainFieldErr(err error) error {
	if portico.ErrorCode(err) == portico.ECONFLICT && portico.ErrorFields(err) == nil {
		return portico.FieldError("domain_id", portico.ErrorMessage(err))
	}
	return err
}

// DeleteAccount deletes an account, or archives it when it has history
// (money and calls are never deleted). It reports whether it archived.
func (s *Service) DeleteAccount(ctx context.Context, a Actor, kind portico.AccountKind, id int64) (archived bool, err error) {
	if err := a.mustWrite(); err != nil {
		return false, err
	}
	err = s.DB.Write(ctx, func(q *store.Q) error {
		acc, err := findAccountOfKind(ctx, q, kind, id)
		if err != nil {
			return err
		}
		if archived, err = q.AccountHasHistory(ctx, id); err != nil {
			return err
		}
		if archived {
			if err := q.SetAccountStatus(ctx, id, portico.StatusArchived); err != nil {
				return err
			}
			if _, err := q.DeleteAccountSessions(ctx, id); err != nil {
				return err
			}
			return q.Audit(ctx, a.audit(string(kind)+".archive", accountTarget(acc), acc.Name))
		}
		if err := q.DeleteAccount(ctx, id); err != nil {
			return err
		}
		return q.Audit(ctx, a.audit(string(kind)+".delete", accountTarget(acc), acc.Name))
	})
	return archived, err
}

// ApproveAccount activates a pending account and emails its contacts.
func (s *Service) ApproveAccount(ctx context.Context, a Actor, kind portico.AccountKind, id int64) (*portico.Account, error) {
	return s.decide(ctx, a, kind, id, portico.StatusActive, mail.KindAccountApproved)
}

// RejectAccount rejects a pending account and emails its contacts.
func (s *Service) RejectAccount(ctx context.Context, a Actor, kind portico.AccountKind, id int64) (*portico.Account, error) {
	return s.decide(ctx, a, kind, id, portico.StatusRejected, mail.KindAccountRejected)
}

func (s *Service) decide(ctx context.Context, a Actor, kind portico.AccountKind, id int64, status, mailKind string) (*portico.Account, error) {
	if err := a.mustWrite(); err != nil {
		return nil, err
	}
	var acc *portico.Account
	err := s.DB.Write(ctx, func(q *store.Q) error {
		var err error
		if acc, err = findAccountOfKind(ctx, q, kind, id); err != nil {
			return err
		}
		if acc.Status != portico.StatusPendingApproval {
			return portico.Errorf(portico.ECONFLICT, "Only accounts pending approval can be approved or rejected; this one is %s.",
				portico.StatusLabels[acc.Status])
		}
		if err := q.SetAccountStatus(ctx, id, status); err != nil {
			return err
		}
		acc.Status = status
		if err := endSessionsUnlessActive(ctx, q, acc); err != nil {
			return err
		}
		var brand *portico.Domain
		if acc.DomainID != nil {
			if brand, err = q.FindDomainByID(ctx, *acc.DomainID); err != nil {
				return err
			}
		}
		contacts, err := q.FindContactsByAccount(ctx, id, 0, 500)
		if err != nil {
			return err
		}
		for _, c := range contacts {
			d := mail.Data{To: c.Email, Name: c.Name, AccountName: acc.Name, AccountKind: string(acc.Kind)}
			if err := s.queueMail(ctx, q, brand, mailKind, d, ""); err != nil {
				return err
			}
		}
		verb := "approve"
		if status == portico.StatusRejected {
			verb = "reject"
		}
		return q.Audit(ctx, a.audit(string(kind)+"."+verb, accountTarget(acc), acc.Name))
	})
	if err == nil {
		s.kickMail()
	}
	return acc, err
}

// FindAccount returns an account of the given kind; an id of the other kind
// is not found, so /customers/{id} never shows a carrier.
func (s *Service) FindAccount(ctx context.Context, kind portico.AccountKind, id int64) (*portico.Account, error) {
	return findAccountOfKind(ctx, s.DB.Read(), kind, id)
}

func findAccountOfKind(ctx context.Context, q *store.Q, kind portico.AccountKind, id int64) (*portico.Account, error) {
	acc, err := q.FindAccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if acc.Kind != kind {
		return nil, portico.Errorf(portico.ENOTFOUND, "%s not found.", kindLabel(kind))
	}
	return acc, nil
}

func kindLabel(k portico.AccountKind) string {
	if k == portico.KindCarrier {
		return "Carrier"
	}
	return "Customer"
}

func accountTarget(acc *portico.Account) string { return fmt.Sprintf("%s:%d", acc.Kind, acc.ID) }
