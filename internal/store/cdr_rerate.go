package store

import (
	"context"

	"portico/internal/portico"
)

// LateCharge is an unrated CDR with the charge rating found for it later,
// and the billed seconds it was stored with (the rollup moves by the
// difference).
type LateCharge struct {
	portico.CDR
	StoredBilled int
}

// ChargeUnratedCDRs stores the charges found later for CDRs that were
// stored unrated: billed duration, destination name, rate and charge, and
// clears the flag; the Summary's rollup moves with them. A CDR that is no
// longer unrated (rated meanwhile, by another run or node) is left as it
// is, so nothing is charged twice; the CDRs actually changed are
// returned, for the caller to book.
func (q *Q) ChargeUnratedCDRs(ctx context.Context, charges []LateCharge) ([]portico.CDR, error) {
	var changed []portico.CDR
	sums := rollupSums{}
	for _, lc := range charges {
		c := lc.CDR
		if c.Charge == nil {
			continue
		}
		res, err := q.exec(ctx, `UPDATE cdrs SET billed_duration = ?, destination_name = ?, rate = ?, charge = ?, unrated = ?
			WHERE id = ? AND unrated`, c.BilledDuration, c.DestinationName, moneyArg(c.Rate), moneyArg(c.Charge), false, c.ID)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 1 {
			changed = append(changed, c)
			// The customer's side gains the charge; both sides count
			// billed seconds (the carrier's cost is not rated here).
			bucket := c.StartTime.Unix() / BucketSeconds
			b := sums.bucket(rollupKey{c.CustomerID, false, bucket})
			b.Billed += int64(c.BilledDuration - lc.StoredBilled)
			b.Amount += *c.Charge
			if c.CarrierID != 0 {
				sums.bucket(rollupKey{c.CarrierID, true, bucket}).Billed += int64(c.BilledDuration - lc.StoredBilled)
			}
		}
	}
	return changed, q.addToRollup(ctx, sums)
}
