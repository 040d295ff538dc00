package app

import (
	"context"
	"fmt"
	"sync"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
)

// IngestBatchSize is how many CDRs one transaction stores. Each batch
// commits whole, with the ledger entries for the charges of exactly the
// CDRs it stored, so a crash mid-import leaves whole batches or nothing,
// and rerunning the import stores the rest and books nothing twice.
// Larger batches write each index page fewer times (random call ids touch
// pages all over the unique index); 20000 holds SQLite's writer for about
// half a second.
const IngestBatchSize = 20000

// CDRImport ingests CDRs from one source (an API request, a file) in
// batches: Check each CDR, Add them a batch at a time, then Finish. It
// remembers the accounts and rate cards it has looked up, so a long import
// reads each once.
type CDRImport struct {
	// BatchSize is how many CDRs a transaction stores (default
	// IngestBatchSize).
	BatchSize int

	s        *Service
	actor    Actor
	source   string
	accounts map[int64]*portico.Account // nil value: no such account
	cards    map[int64]*billing.Card
	mu       sync.Mutex // guards result, which Store adds to
	result   portico.IngestResult
}

// NewCDRImport starts an import by a for source (e.g. "api" or a file
// name).
func (s *Service) NewCDRImport(a Actor, source string) (*CDRImport, error) {
	if err := a.mustWrite(); err != nil {
		return nil, err
	}
	return &CDRImport{s: s, actor: a, source: source, accounts: map[int64]*portico.Account{}}, nil
}

// Check normalises c and reports what is wrong with it, including accounts
// that do not exist or are of the wrong kind.
func (imp *CDRImport) Check(ctx context.Context, c *portico.CDR) (portico.FieldErrors, error) {
	c.Normalize()
	f := c.Validate()
	if c.CustomerID > 0 {
		acc, err := imp.account(ctx, c.CustomerID)
		if err != nil {
			return nil, err
		}
		if acc == nil || acc.Kind != portico.KindCustomer {
			f.Add("customer_id", fmt.Sprintf("Customer %d does not exist.", c.CustomerID))
		}
	}
	if c.CarrierID > 0 {
		acc, err := imp.account(ctx, c.CarrierID)
		if err != nil {
			return nil, err
		}
		if acc == nil || acc.Kind != portico.KindCarrier {
			f.Add("carrier_id", fmt.Sprintf("Carrier %d does not exist.", c.CarrierID))
		}
	}
	return f, nil
}

func (imp *CDRImport) account(ctx context.Context, id int64) (*portico.Account, error) {
	if acc, ok := imp.accounts[id]; ok {
		return acc, nil
	}
	acc, err := imp.s.DB.Read().FindAccountByID(ctx, id)
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		acc, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	imp.accounts[id] = acc
	return acc, nil
}

// Add rates the CDRs that have no charge (or carrier cost) and stores them:
// Rate, then Store. Every CDR must have passed Check.
func (imp *CDRImport) Add(ctx context.Context, cdrs []portico.CDR) (portico.IngestResult, error) {
	if err := imp.Rate(ctx, cdrs); err != nil {
		return portico.IngestResult{}, err
	}
	return imp.Store(ctx, cdrs)
}

// Store writes rated CDRs in transactions of BatchSize, each with its
// ledger entries. Rate and Store may run in different goroutines (a
// reader rating the next batch while the writer stores this one), each
// called from one goroutine at a time.
func (imp *CDRImport) Store(ctx context.Context, cdrs []portico.CDR) (portico.IngestResult, error) {
	size := imp.BatchSize
	if size <= 0 {
		size = IngestBatchSize
	}
	var total portico.IngestResult
	for start := 0; start < len(cdrs); start += size {
		batch := cdrs[start:min(len(cdrs), start+size)]
		var r portico.IngestResult
		err := imp.s.DB.Write(ctx, func(q *store.Q) error {
			var err error
			r, err = storeBatch(ctx, q, batch)
			return err
		})
		if err != nil {
			return total, err
		}
		total.Add(r)
		imp.mu.Lock()
		imp.result.Add(r)
		imp.mu.Unlock()
	}
	return total, nil
}

// Result is the running total of everything stored so far.
func (imp *CDRImport) Result() portico.IngestResult {
	imp.mu.Lock()
	defer imp.mu.Unlock()
	return imp.result
}

// Finish records the import in the audit log.
func (imp *CDRImport) Finish(ctx context.Context) error {
	r := imp.Result()
	return imp.s.DB.Write(ctx, func(q *store.Q) error {
		return q.Audit(ctx, imp.actor.audit("cdr.import", "cdrs",
			fmt.Sprintf("%s: %d accepted, %d duplicates, %d unrated", imp.source, r.Accepted, r.Duplicates, r.Unrated)))
	})
}

// Rate fills in what the switch did not send, from the cards in force at
// each call's start: BilledDuration, Rate, Charge and an empty
// DestinationName from the customer's card, CarrierRate and CarrierCost
// from the carrier's. A CDR whose customer side nothing matches stays
// without a charge and is marked Unrated; one whose carrier side nothing
// matches keeps a nil CarrierCost. Both are stored all the same.
func (imp *CDRImport) Rate(ctx context.Context, cdrs []portico.CDR) error {
	for i := range cdrs {
		c := &cdrs[i]
		if c.NeedsRating() {
			if _, err := imp.rateCustomer(ctx, c); err != nil {
				return err
			}
		}
		if c.NeedsCarrierRating() {
			if card, err := imp.card(ctx, c.CarrierID); err != nil {
				return err
			} else if r, ok := rateWith(card, c); ok {
				c.CarrierRate, c.CarrierCost = &r.Rate, &r.Charge
				if c.DestinationName == "" {
					c.DestinationName = r.Name
				}
			}
		}
		c.Unrated = c.Charge == nil
	}
	return nil
}

// rateCustomer prices c from its customer's card in force at its start:
// Rate, Charge, BilledDuration and an empty DestinationName. It reports
// whether a rate matched; c is unchanged when none did.
func (imp *CDRImport) rateCustomer(ctx context.Context, c *portico.CDR) (bool, error) {
	card, err := imp.card(ctx, c.CustomerID)
	if err != nil {
		return false, err
	}
	r, ok := rateWith(card, c)
	if ok {
		c.Rate, c.Charge, c.BilledDuration = &r.Rate, &r.Charge, r.Billed
		if c.DestinationName == "" {
			c.DestinationName = r.Name
		}
	}
	return ok, nil
}

func rateWith(card *billing.Card, c *portico.CDR) (billing.Rated, bool) {
	if card == nil {
		return billing.Rated{}, false
	}
	return card.Rate(c.DestinationNumber, c.StartTime, c.Duration)
}

// card returns the rate card of an account (nil when it has none).
func (imp *CDRImport) card(ctx context.Context, accountID int64) (*billing.Card, error) {
	acc, err := imp.account(ctx, accountID)
	if err != nil || acc == nil || acc.RateCardID == nil {
		return nil, err
	}
	id := *acc.RateCardID
	if card, ok := imp.cards[id]; ok {
		return card, nil
	}
	cards, err := imp.s.ratingCards(ctx, imp.s.DB.Read(), []int64{id})
	if err != nil {
		return nil, err
	}
	if imp.cards == nil {
		imp.cards = map[int64]*billing.Card{}
	}
	imp.cards[id] = cards[id]
	return cards[id], nil
}

// storeBatch inserts one batch and books, per account, the charges of the
// CDRs it actually stored as one ledger entry: customers are debited their
// charges, carriers their costs (see portico.LedgerCharges).
func storeBatch(ctx context.Context, q *store.Q, batch []portico.CDR) (portico.IngestResult, error) {
	stored, totals, err := q.InsertCDRs(ctx, batch)
	if err != nil {
		return portico.IngestResult{}, err
	}
	r := portico.IngestResult{Accepted: stored, Duplicates: len(batch) - stored}
	type sum struct {
		amount  portico.Money
		calls   int
		carrier bool
	}
	sums := map[int64]*sum{}
	var order []int64 // accounts in first-seen order, so entries come out the same each run
	add := func(id int64, amount portico.Money, calls int, carrier bool) {
		s, ok := sums[id]
		if !ok {
			s = &sum{carrier: carrier}
			sums[id] = s
			order = append(order, id)
		}
		s.amount += amount
		s.calls += calls
	}
	for _, t := range totals {
		r.Unrated += t.Unrated
		add(t.CustomerID, t.Charges, t.Calls, false)
		if t.CarrierID != 0 {
			add(t.CarrierID, t.CarrierCosts, t.Calls, true)
		}
	}
	var entries []*portico.LedgerEntry
	for _, id := range order {
		s := sums[id]
		if s.amount == 0 {
			continue
		}
		// An account is a customer or a carrier (Check sees to it), so
		// one entry per account per batch.
		what := "Charges"
		if s.carrier {
			what = "Carrier costs"
		}
		entries = append(entries, &portico.LedgerEntry{AccountID: id, Kind: portico.LedgerCharges, Amount: -s.amount,
			CDRCount: s.calls, Description: fmt.Sprintf("%s for %d calls", what, s.calls)})
	}
	return r, q.AddLedgerEntries(ctx, entries...)
}

// IngestCDRs checks and stores a list of CDRs (an API request): any bad
// item refuses the whole list, every problem reported by item number;
// otherwise all are stored, duplicates skipped.
func (s *Service) IngestCDRs(ctx context.Context, a Actor, cdrs []portico.CDR, source string) (portico.IngestResult, error) {
	imp, err := s.NewCDRImport(a, source)
	if err != nil {
		return portico.IngestResult{}, err
	}
	errs := &portico.LineErrors{Unit: "item"}
	for i := range cdrs {
		f, err := imp.Check(ctx, &cdrs[i])
		if err != nil {
			return portico.IngestResult{}, err
		}
		errs.AddFields(i+1, f)
	}
	if err := errs.Err(); err != nil {
		return portico.IngestResult{}, err
	}
	r, err := imp.Add(ctx, cdrs)
	if err != nil {
		return r, err
	}
	return r, imp.Finish(ctx)
}

// FindCDR returns one CDR.
func (s *Service) FindCDR(ctx context.Context, id int64) (*portico.CDR, error) {
	return s.DB.Read().FindCDRByID(ctx, id)
}

// ListCDRs lists CDRs matching f by id.
func (s *Service) ListCDRs(ctx context.Context, f portico.CDRFilter) (Page[*portico.CDR], error) {
	q := s.DB.Read()
	return page(f.Limit, f.After, func(c *portico.CDR) int64 { return c.ID },
		func(after int64, limit int) ([]*portico.CDR, error) {
			f.After, f.Limit = after, limit
			return q.FindCDRs(ctx, f)
		})
}
