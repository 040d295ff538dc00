package portico

import (
	"strings"
	"time"
)

// Ledger entry kinds. An account's balance is the sum of its entries; for a
// customer, money in (payments, credits) is positive and call charges are
// negative. A carrier's ledger is kept from the same side: what the
// operator paid the carrier is positive, what the traffic sent there cost
// is negative, so a negative carrier balance is what the operator owes.
const (
	LedgerPayment    = "payment"    // a completed payment (or its reversal on cancel)
	LedgerCharges    = "charges"    // CDR charges or carrier costs, one entry per account per ingest batch
	LedgerCredit     = "credit"     // money given, e.g. goodwill (positive)
	LedgerAdjustment = "adjustment" // a correction either way
)

// LedgerEntry is one line of an account's ledger. Entries are never
// changed or deleted; corrections are new entries.
type LedgerEntry struct {
	ID          int64
	AccountID   int64
	Kind        string
	Amount      Money
	Description string
	PaymentID   *int64
	CDRCount    int // calls summed into a charges entry
	CreatedAt   time.Time
}

// Normalize trims the description and defaults the kind.
func (e *LedgerEntry) Normalize() {
	e.Description = strings.TrimSpace(e.Description)
	e.Kind = strings.ToLower(strings.TrimSpace(e.Kind))
	if e.Kind == "" {
		e.Kind = LedgerAdjustment
	}
}

// ValidateManual checks an entry typed by the operator (an adjustment or a
// credit): payments and charges are made by their own use cases.
func (e *LedgerEntry) ValidateManual() error {
	f := FieldErrors{}
	if e.AccountID <= 0 {
		f.Add("account_id", "Account id is required.")
	}
	switch e.Kind {
	case LedgerAdjustment:
		if e.Amount == 0 {
			f.Add("amount", "Amount must not be zero.")
		}
	case LedgerCredit:
		if e.Amount <= 0 {
			f.Add("amount", "A credit must be greater than zero.")
		}
	default:
		f.Add("kind", "Kind must be adjustment or credit.")
	}
	checkAmount(f, e.Amount)
	checkText(f, "description", "Description", e.Description, 1, 500)
	return f.Err()
}

// MaxAmount bounds one payment or adjustment (a billion units), so that
// sums of many stay far from overflow.
const MaxAmount = 1_000_000_000 * MoneyScale

func checkAmount(f FieldErrors, m Money) {
	if m > MaxAmount || m < -MaxAmount {
		f.Add("amount", "Amount must be at most "+Money(MaxAmount).String()+".")
	}
}

// Payment statuses. Only completed payments count in the balance.
const (
	PaymentPending   = "pending"
	PaymentCompleted = "completed"
	PaymentCancelled = "cancelled"
)

// Payment is money received from (or, for a carrier, paid to) an account.
type Payment struct {
	ID          int64
	AccountID   int64
	Amount      Money
	Status      string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Normalize trims text and defaults the status to completed (the operator
// records money that arrived).
func (p *Payment) Normalize() {
	p.Description = strings.TrimSpace(p.Description)
	p.Status = strings.ToLower(strings.TrimSpace(p.Status))
	if p.Status == "" {
		p.Status = PaymentCompleted
	}
}

// Validate checks every field.
func (p *Payment) Validate() error {
	f := FieldErrors{}
	if p.AccountID <= 0 {
		f.Add("account_id", "Account id is required.")
	}
	if p.Amount <= 0 {
		f.Add("amount", "Amount must be greater than zero.")
	}
	checkAmount(f, p.Amount)
	if !ValidPaymentStatus(p.Status) {
		f.Add("status", "Status must be pending, completed or cancelled.")
	}
	checkText(f, "description", "Description", p.Description, 0, 500)
	return f.Err()
}

// ValidPaymentStatus reports whether s is a payment status.
func ValidPaymentStatus(s string) bool {
	return s == PaymentPending || s == PaymentCompleted || s == PaymentCancelled
}

// PaymentTransitionAllowed reports whether a payment may go from one status
// to another: pending may complete or be cancelled, a completed payment may
// be cancelled (reversed), and cancelled is final.
func PaymentTransitionAllowed(from, to string) bool {
	switch from {
	case PaymentPending:
		return to == PaymentCompleted || to == PaymentCancelled
	case PaymentCompleted:
		return to == PaymentCancelled
	}
	return false
}

// PaymentFilter selects payments for listing.
type PaymentFilter struct {
	AccountID int64
	Status    string
	After     int64
	Limit     int
}

// Balance is an account's money position.
type Balance struct {
	AccountID   int64
	Currency    string
	Balance     Money // sum of ledger entries
	CreditLimit Money
	Available   Money // Balance + CreditLimit: what may still be spent
}
