package portico

import (
	"strings"
	"time"
)

// AccountKind tells customers (who buy from the operator) from carriers
// (suppliers the operator buys from).
type AccountKind string

// Account kinds.
const (
	KindCustomer AccountKind = "customer"
	KindCarrier  AccountKind = "carrier"
)

// Account statuses.
const (
	StatusActive          = "active"
	StatusPendingApproval = "pending_approval"
	StatusSuspended       = "suspended"
	StatusRejected        = "rejected"
	StatusArchived        = "archived"
)

// AccountStatuses lists the statuses in display order.
var AccountStatuses = []string{StatusActive, StatusPendingApproval, StatusSuspended, StatusRejected, StatusArchived}

// StatusLabels are the names shown to people.
var StatusLabels = map[string]string{
	StatusActive: "Active", StatusPendingApproval: "Pending Approval", StatusSuspended: "Suspended",
	StatusRejected: "Rejected", StatusArchived: "Archived",
}

// Account is a customer or a carrier.
type Account struct {
	ID          int64
	Kind        AccountKind
	Name        string
	Status      string
	Currency    string
	CreditLimit Money // 0 = prepaid
	DomainID    *int64
	// RateCardID is the card that prices this account's calls: what a
	// customer pays, or what a carrier charges the operator. nil: none.
	RateCardID *int64
	// AccessOverrides shows (true) or hides (false) sections relative to the
	// brand's access list.
	AccessOverrides map[Section]bool
	TaxID           string
	TaxPercent      Money // 20% is 20.00
	Notes           string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// CanLogIn reports whether the account's contacts may use the portal.
func (a *Account) CanLogIn() bool { return a.Status == StatusActive }

// Normalize puts user-typed values into their stored form.
func (a *Account) Normalize() {
	a.Name = strings.TrimSpace(a.Name)
	a.Currency = strings.ToUpper(strings.TrimSpace(a.Currency))
	a.TaxID = strings.TrimSpace(a.TaxID)
}

// Validate checks every field.
func (a *Account) Validate() error {
	f := FieldErrors{}
	if a.Kind != KindCustomer && a.Kind != KindCarrier {
		f.Add("kind", "Kind must be customer or carrier.")
	}
	checkText(f, "name", "Name", a.Name, 1, 200)
	if _, ok := StatusLabels[a.Status]; !ok {
		f.Add("status", "Status must be one of active, pending_approval, suspended, rejected, archived.")
	}
	if !currencyRE.MatchString(a.Currency) {
		f.Add("currency", "Currency must be a three-letter ISO code like USD.")
	}
	if a.CreditLimit < 0 {
		f.Add("credit_limit", "Credit limit cannot be negative.")
	}
	if a.TaxPercent < 0 || a.TaxPercent > 100*MoneyScale {
		f.Add("tax_percent", "Tax must be between 0 and 100 percent.")
	}
	checkText(f, "tax_id", "Tax ID", a.TaxID, 0, 100)
	checkText(f, "notes", "Notes", a.Notes, 0, 5000)
	for s := range a.AccessOverrides {
		if !ValidSection(s) {
			f.Add("access_overrides", "Unknown access section "+quote(string(s))+".")
		}
	}
	return f.Err()
}

// AccountFilter selects accounts for listing.
type AccountFilter struct {
	Kind   AccountKind
	Status string
	Search string // substring of the name, case-insensitive
	After  int64  // keyset cursor: list ids greater than this
	Limit  int
}
