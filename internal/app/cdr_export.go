package app

import (
	"context"

	"portico/internal/portico"
	"portico/internal/store"
)

// ExportCDRs calls fn for every CDR f selects, across accounts, in id
// order, as the rows are read (fn gets the same *CDR each time), for the
// control panel's CSV download. Every operator role may export: each can
// already page through every CDR, and a download is a read. The download
// is recorded first, filed under the account when f names one: an export
// carries data out of Portico, so who took what, and when, is kept.
func (s *Service) ExportCDRs(ctx context.Context, a Actor, f portico.CDRFilter, detail string, fn func(*portico.CDR) error) error {
	e := a.audit("cdr.export", "cdrs", detail)
	if id := max(f.CustomerID, f.CarrierID); id != 0 {
		e.AccountID = &id
	}
	if err := s.DB.Write(ctx, func(q *store.Q) error { return q.Audit(ctx, e) }); err != nil {
		return err
	}
	return s.DB.Read().EachCDR(ctx, f, fn)
}
