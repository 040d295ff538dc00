package panel

import (
	"net/http"
	"net/url"

	"portico/internal/portico"
)

// Payments: the list across all accounts, recording one from an account's
// page, and moving one between statuses.

// paymentRow is a payment as lists show it.
type paymentRow struct {
	*portico.Payment
	Account  *portico.Account // nil on the account's own page
	Currency string
	Back     string // the page the status buttons return to
}

// paymentMove is a status change a button offers.
type paymentMove struct{ Status, Label string }

// Moves lists the status changes the payment allows, for its buttons.
func (p paymentRow) Moves() []paymentMove {
	var out []paymentMove
	for _, m := range []paymentMove{{portico.PaymentCompleted, "Complete"}, {portico.PaymentCancelled, "Cancel"}} {
		if portico.PaymentTransitionAllowed(p.Status, m.Status) {
			out = append(out, m)
		}
	}
	return out
}

// AccountLink is the page of the payment's account.
func (p paymentRow) AccountLink() string { return accountLink(p.Account) }

type paymentList struct {
	Payments []paymentRow
	Accounts []option
	Statuses []option
	pager
}

// handlePaymentList lists payments of every account, filtered by account
// and status.
func (p *panel) handlePaymentList(w http.ResponseWriter, r *http.Request) error {
	ctx, q := r.Context(), r.URL.Query()
	idx, err := p.newAccountIndex(ctx)
	if err != nil {
		return err
	}
	fe := portico.FieldErrors{}
	f := portico.PaymentFilter{After: cursor(r, "after"), Limit: pageSize + 1}
	acc, err := idx.filter(ctx, fe, q)
	if err != nil {
		return err
	}
	if acc != nil {
		f.AccountID = acc.ID
	}
	if s := q.Get("status"); portico.ValidPaymentStatus(s) {
		f.Status = s
	} else if s != "" {
		fe.Add("status", "Status must be pending, completed or cancelled.")
	}
	data := &paymentList{Accounts: idx.Choices, Statuses: []option{{Value: "", Label: "Any status"},
		{Value: portico.PaymentPending, Label: "Pending"}, {Value: portico.PaymentCompleted, Label: "Completed"},
		{Value: portico.PaymentCancelled, Label: "Cancelled"}}}
	v := &view{Title: "Payments", Nav: "payments", Form: url.Values{"account": {q.Get("account")}, "status": {q.Get("status")}}, Data: data}
	if err := fe.Err(); err != nil {
		return p.formError(w, r, err, "payments", v)
	}
	pays, err := idx.read.FindPayments(ctx, f)
	if err != nil {
		return err
	}
	pays, data.pager = trimPage(r, pays, "after", func(p *portico.Payment) int64 { return p.ID })
	for _, pay := range pays {
		acc, err := idx.get(ctx, pay.AccountID)
		if err != nil {
			return err
		}
		data.Payments = append(data.Payments, paymentRow{Payment: pay, Account: acc, Currency: acc.Currency, Back: here(r)})
	}
	return p.render(w, r, http.StatusOK, "payments", v)
}

// handlePaymentCreate records a payment from the account's page.
func (a accountPages) handlePaymentCreate(w http.ResponseWriter, r *http.Request) error {
	return a.submitMoneyForm(w, r, moneyForm{prefix: "payment_", shown: []string{"amount", "status", "description"},
		done: "payment_recorded", replayed: "payment_replayed",
		record: func(r *http.Request, acc *portico.Account, f url.Values) (bool, error) {
			fe := portico.FieldErrors{}
			pay := &portico.Payment{AccountID: acc.ID, Amount: money(fe, f, "amount", "Amount"),
				Status: f.Get("status"), Description: f.Get("description")}
			if len(fe) > 0 {
				return false, invalid(fe, pay)
			}
			return a.svc.CreatePayment(r.Context(), actor(r), pay, f.Get("idempotency_key"))
		}})
}

// handlePaymentStatus moves a payment to another status (completing a
// pending one credits the account; cancelling a completed one reverses
// that) and returns to the page the button was on.
func (p *panel) handlePaymentStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := p.svc.SetPaymentStatus(r.Context(), actor(r), id, r.PostFormValue("status")); err != nil {
		return err
	}
	back := "/payments"
	if next := r.PostFormValue("next"); next != "" {
		back = safeNext(next)
	}
	return seeOther(w, r, back, "payment_status")
}
