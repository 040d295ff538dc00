package app

import (
	"context"
	"time"

	"portico/internal/portico"
)

// The operator's traffic views: an account's Summary as its portal shows
// it, and the traffic of all accounts. Operators work in UTC, so days and
// months here are UTC ones. Any operator role may read them; the panel's
// route policy lets only operators in.

// AccountTraffic returns what the account of kind and id sees in its
// portal's Summary for month ("2006-01", "" for the current UTC month): a
// customer's calls and charges, or the traffic a carrier carried at its
// carrier cost, by UTC day and month.
func (s *Service) AccountTraffic(ctx context.Context, kind portico.AccountKind, id int64, month string) (*portico.Account, *SummaryView, error) {
	read := s.DB.Read()
	acc, err := findAccountOfKind(ctx, read, kind, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := summarize(ctx, read.ForAccount(acc.ID), kind == portico.KindCarrier, month, time.UTC)
	return acc, v, err
}
