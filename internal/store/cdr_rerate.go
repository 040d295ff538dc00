package store

import (
	"context"

	"portico/internal/portico"
)

// ChargeUnratedCDRs stores the charge found later for CDRs that were
// stored unrated: billed duration, destination name, rate and charge, and
// clears the flag. A CDR that is no longer unrated (rated meanwhile, by
// another run or node) is left as it is, so nothing is charged twice; the
// CDRs actually changed are returned, for the caller to book.
func (q *Q) ChargeUnratedCDRs(ctx context.Context, cdrs []portico.CDR) ([]portico.CDR, error) {
	var changed []portico.CDR
	for _, c := range cdrs {
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
		}
	}
	return changed, nil
}
