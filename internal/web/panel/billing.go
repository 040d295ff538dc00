package panel

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"portico/internal/portico"
	"portico/internal/store"
)

// The money part of an account's page: balance and credit, the ledger
// newest first, pending payments, and the forms that record a payment or
// an adjustment. Their fields carry a prefix ("payment_", "adjustment_")
// because they share the page, and so the page's "errors", with the
// account's own form.

// accountBilling is the money part of an account's page.
type accountBilling struct {
	Path    string // the account's page; the forms post below it
	Balance *portico.Balance
	Ledger  []*portico.LedgerEntry
	// LedgerPager pages the ledger; its cursor is ledger_before, so it
	// does not clash with other lists.
	LedgerPager pager
	Pending     []paymentRow
	// PaymentKey and AdjustmentKey are fresh idempotency keys, one per
	// rendering of each form: a form sent twice (a double click, a
	// resent request) carries the same key, and app records it once.
	PaymentKey, AdjustmentKey string
	PaymentStatuses           []option
}

// paymentStatusOptions are the statuses a payment may be recorded with.
var paymentStatusOptions = []option{
	{Value: portico.PaymentCompleted, Label: "Completed (counts in the balance now)"},
	{Value: portico.PaymentPending, Label: "Pending (counts once completed)"},
	{Value: portico.PaymentCancelled, Label: "Cancelled"},
}

// loadBilling reads the money part of acc's page.
func (a accountPages) loadBilling(r *http.Request, acc *portico.Account) (*accountBilling, error) {
	ctx, read := r.Context(), a.svc.DB.Read()
	b := &accountBilling{Path: fmt.Sprintf("%s/%d", a.Path, acc.ID), PaymentStatuses: paymentStatusOptions,
		PaymentKey: rand.Text(), AdjustmentKey: rand.Text()}
	var err error
	if b.Balance, err = a.svc.AccountBalance(ctx, acc.Kind, acc.ID); err != nil {
		return nil, err
	}
	entries, err := read.FindRecentLedgerEntries(ctx, acc.ID, cursor(r, "ledger_before"), pageSize+1)
	if err != nil {
		return nil, err
	}
	// The pager links to the account's page even when a failed money form
	// (posted elsewhere) renders it.
	at := &http.Request{URL: &url.URL{Path: b.Path, RawQuery: r.URL.RawQuery}}
	b.Ledger, b.LedgerPager = trimPage(at, entries, "ledger_before", func(e *portico.LedgerEntry) int64 { return e.ID })
	pending, err := read.FindPayments(ctx, portico.PaymentFilter{AccountID: acc.ID, Status: portico.PaymentPending, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, p := range pending {
		b.Pending = append(b.Pending, paymentRow{Payment: p, Currency: acc.Currency, Back: b.Path})
	}
	return b, nil
}

// moneyForm is one of the account page's money forms.
type moneyForm struct {
	prefix string   // of its field names
	shown  []string // fields (unprefixed) that it shows, so errors can name them
	// done and replayed are the flash codes after recording, and after a
	// repeat that recorded nothing.
	done, replayed string
	// record saves the form f (prefix removed) for acc.
	record func(r *http.Request, acc *portico.Account, f url.Values) (replayed bool, err error)
}

// submitMoneyForm runs a money form posted from an account's page. On a
// problem the page comes back with the account's saved values, what was
// typed into this form, and each error next to its field.
func (a accountPages) submitMoneyForm(w http.ResponseWriter, r *http.Request, m moneyForm) error {
	acc, err := a.find(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	f := url.Values{}
	for k, vs := range r.PostForm {
		if name, ok := strings.CutPrefix(k, m.prefix); ok {
			f[name] = vs
		}
	}
	replayed, err := m.record(r, acc, f)
	if err != nil {
		form := accountValues(acc)
		for k, vs := range f {
			form[m.prefix+k] = vs
		}
		return a.showForm(w, r, acc, form, prefixFields(err, m.prefix, m.shown))
	}
	flash := m.done
	if replayed {
		flash = m.replayed
	}
	return seeOther(w, r, fmt.Sprintf("%s/%d", a.Path, acc.ID), flash)
}

// prefixFields renames a validation error's fields to the prefixed names
// a money form uses. A problem with a field the form does not show (such
// as its idempotency key) becomes the message instead.
func prefixFields(err error, prefix string, shown []string) error {
	fields := portico.ErrorFields(err)
	if fields == nil {
		return err
	}
	e := &portico.Error{Code: portico.ErrorCode(err), Message: portico.ErrorMessage(err), Fields: map[string]string{}}
	for k, msg := range fields {
		if slices.Contains(shown, k) {
			e.Fields[prefix+k] = msg
		} else {
			e.Message = msg
		}
	}
	return e
}

// manualEntry lets invalid check an operator's ledger entry, whose rules
// are ValidateManual's.
type manualEntry struct{ *portico.LedgerEntry }

func (m manualEntry) Validate() error { return m.ValidateManual() }

// handleAdjustmentCreate adds an adjustment (either sign) to the ledger.
func (a accountPages) handleAdjustmentCreate(w http.ResponseWriter, r *http.Request) error {
	return a.submitMoneyForm(w, r, moneyForm{prefix: "adjustment_", shown: []string{"amount", "description"},
		done: "adjusted", replayed: "adjust_replayed",
		record: func(r *http.Request, acc *portico.Account, f url.Values) (bool, error) {
			fe := portico.FieldErrors{}
			e := &portico.LedgerEntry{AccountID: acc.ID, Kind: portico.LedgerAdjustment,
				Amount: money(fe, f, "amount", "Amount"), Description: f.Get("description")}
			if len(fe) > 0 {
				return false, invalid(fe, manualEntry{e})
			}
			return a.svc.AddLedgerEntry(r.Context(), actor(r), e, f.Get("idempotency_key"))
		}})
}

// accountIndex names the accounts that rows of a list refer to, and offers
// them as the list's account filter.
type accountIndex struct {
	read *store.Q
	byID map[int64]*portico.Account
	// Choices are the filter's options: any account, then customers and
	// carriers by name.
	Choices []option
}

// maxFilterAccounts bounds how many accounts of each kind the account
// filter offers; an account beyond it can still be filtered by its link.
const maxFilterAccounts = 500

// newAccountIndex loads the accounts the filter offers.
func (p *panel) newAccountIndex(ctx context.Context) (*accountIndex, error) {
	idx := &accountIndex{read: p.svc.DB.Read(), byID: map[int64]*portico.Account{},
		Choices: []option{{Value: "", Label: "All accounts"}}}
	for _, k := range kinds {
		accs, err := idx.read.FindAccounts(ctx, portico.AccountFilter{Kind: k.Kind, Limit: maxFilterAccounts})
		if err != nil {
			return nil, err
		}
		for _, acc := range accs {
			idx.add(acc)
		}
	}
	return idx, nil
}

func (idx *accountIndex) add(acc *portico.Account) {
	idx.byID[acc.ID] = acc
	idx.Choices = append(idx.Choices, option{Value: strconv.FormatInt(acc.ID, 10),
		Label: acc.Name + " (" + strings.ToLower(kindOf(acc.Kind).Singular) + ")"})
}

// loadAll reads every account into the index. An export names each
// call's accounts while its rows hold a read connection: looking an
// account up then would take a second one, and a few exports at once
// could hold the whole pool waiting for each other. The index grows
// with the accounts, not the calls.
func (idx *accountIndex) loadAll(ctx context.Context) error {
	for _, k := range kinds {
		for after := int64(0); ; {
			accs, err := idx.read.FindAccounts(ctx, portico.AccountFilter{Kind: k.Kind, After: after, Limit: maxFilterAccounts})
			if err != nil {
				return err
			}
			for _, acc := range accs {
				idx.byID[acc.ID] = acc
			}
			if len(accs) < maxFilterAccounts {
				break
			}
			after = accs[len(accs)-1].ID
		}
	}
	return nil
}

// get returns the account with id, reading it (and offering it in the
// filter) if the filter did not load it; an account that does not exist is
// a field error on "account".
func (idx *accountIndex) get(ctx context.Context, id int64) (*portico.Account, error) {
	if acc, ok := idx.byID[id]; ok {
		return acc, nil
	}
	acc, err := idx.read.FindAccountByID(ctx, id)
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		return nil, portico.FieldError("account", fmt.Sprintf("Account %d does not exist.", id))
	}
	if err != nil {
		return nil, err
	}
	idx.add(acc)
	return acc, nil
}

// filter reads the "account" query parameter of a list: nil when absent,
// and a problem (not a number, no such account) recorded in fe.
func (idx *accountIndex) filter(ctx context.Context, fe portico.FieldErrors, q url.Values) (*portico.Account, error) {
	id := optionalID(fe, q, "account", "Account")
	if id == nil {
		return nil, nil
	}
	acc, err := idx.get(ctx, *id)
	if portico.ErrorCode(err) == portico.EINVALID {
		fe.Add("account", portico.ErrorMessage(err))
		return nil, nil
	}
	return acc, err
}

// here is the current page's address without its flash, for forms that
// come back to it.
func here(r *http.Request) string {
	q := r.URL.Query()
	q.Del("flash")
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// accountLink is the page of an account.
func accountLink(acc *portico.Account) string {
	return fmt.Sprintf("%s/%d", kindOf(acc.Kind).Path, acc.ID)
}
