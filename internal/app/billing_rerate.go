package app

import (
	"context"
	"fmt"

	"portico/internal/portico"
	"portico/internal/store"
)

// rerateBatch is how many unrated CDRs one transaction rates (the most a
// CDR page holds).
const rerateBatch = 500

// RateUnratedCDRs rates the stored CDRs that no rate matched when they came
// in, with the cards as they are now: after a card gains the missing
// prefixes, or an account is given a card. Each CDR is rated by its
// customer's card in force at its start time, exactly as at ingest; the
// charges are booked as one ledger entry per account per batch, and the
// CDRs still without a rate stay unrated. Running it again, or on two
// nodes at once, charges nothing twice. (Only the customer side: a
// missing carrier cost is not filled in later.)
func (s *Service) RateUnratedCDRs(ctx context.Context, a Actor) (portico.RerateResult, error) {
	var res portico.RerateResult
	if err := a.mustWrite(); err != nil {
		return res, err
	}
	imp, err := s.NewCDRImport(a, "rate-unrated")
	if err != nil {
		return res, err
	}
	for after := int64(0); ; {
		// A page of the unrated CDRs by id (a partial index holds just
		// them), rated and stored in one transaction.
		batch, err := s.DB.Read().FindCDRs(ctx, portico.CDRFilter{Unrated: true, After: after, Limit: rerateBatch})
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			break
		}
		after = batch[len(batch)-1].ID
		rated, err := imp.rateCustomerSide(ctx, batch)
		if err != nil {
			return res, err
		}
		res.Unrated += len(batch) - len(rated)
		if len(rated) == 0 {
			continue
		}
		// Each batch is booked and audited in its own transaction, so an
		// interrupted run leaves no money unaccounted for. Calls another
		// run rated meanwhile are in neither count.
		err = s.DB.Write(ctx, func(q *store.Q) error {
			changed, err := q.ChargeUnratedCDRs(ctx, rated)
			if err != nil || len(changed) == 0 {
				return err
			}
			res.Rated += len(changed)
			if err := q.AddLedgerEntries(ctx, lateCharges(changed)...); err != nil {
				return err
			}
			return q.Audit(ctx, a.audit("cdrs.rate_unrated", "cdrs", fmt.Sprintf("%d calls rated (ids %d to %d)",
				len(changed), changed[0].ID, changed[len(changed)-1].ID)))
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// rateCustomerSide returns the CDRs of batch that the customer's card now
// prices, with their charge filled in.
func (imp *CDRImport) rateCustomerSide(ctx context.Context, batch []*portico.CDR) ([]store.LateCharge, error) {
	var rated []store.LateCharge
	for _, c := range batch {
		priced := *c
		ok, err := imp.rateCustomer(ctx, &priced)
		if err != nil {
			return nil, err
		}
		if ok {
			priced.Unrated = false
			rated = append(rated, store.LateCharge{CDR: priced, StoredBilled: c.BilledDuration})
		}
	}
	return rated, nil
}

// lateCharges books what rating found, one entry per customer.
func lateCharges(cdrs []portico.CDR) []*portico.LedgerEntry {
	byAccount := map[int64]*portico.LedgerEntry{}
	var entries []*portico.LedgerEntry
	for _, c := range cdrs {
		e, ok := byAccount[c.CustomerID]
		if !ok {
			e = &portico.LedgerEntry{AccountID: c.CustomerID, Kind: portico.LedgerCharges}
			byAccount[c.CustomerID] = e
			entries = append(entries, e)
		}
		e.Amount -= *c.Charge
		e.CDRCount++
	}
	out := entries[:0]
	for _, e := range entries {
		if e.Amount == 0 {
			continue
		}
		e.Description = fmt.Sprintf("Charges for %d calls rated later", e.CDRCount)
		out = append(out, e)
	}
	return out
}
