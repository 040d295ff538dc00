package api

import (
	"net/http"
	"strconv"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// idempotencyKey reads the Idempotency-Key header ("" when absent).
func idempotencyKey(r *http.Request) string { return r.Header.Get("Idempotency-Key") }

// writeCreated answers 201 with v; a replayed request also gets
// Idempotent-Replayed: true, and otherwise the very same answer.
func writeCreated(w http.ResponseWriter, replayed bool, v any) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	httpx.WriteJSON(w, http.StatusCreated, v)
}

// paymentView is a payment in JSON, both ways.
type paymentView struct {
	ID          int64         `json:"id" api:"readonly"`
	AccountID   int64         `json:"account_id"`
	Amount      portico.Money `json:"amount"`
	Status      string        `json:"status"`
	Description string        `json:"description"`
	CreatedAt   timestamp     `json:"created_at" api:"readonly"`
	UpdatedAt   timestamp     `json:"updated_at" api:"readonly"`
}

func newPaymentView(p *portico.Payment) paymentView {
	return paymentView{ID: p.ID, AccountID: p.AccountID, Amount: p.Amount, Status: p.Status, Description: p.Description,
		CreatedAt: timestamp(p.CreatedAt), UpdatedAt: timestamp(p.UpdatedAt)}
}

// paymentPatch is what PATCH may change: the status only (amounts are
// corrected with adjustments, so the ledger keeps its history).
type paymentPatch struct {
	ID          int64         `json:"id" api:"readonly"`
	AccountID   int64         `json:"account_id" api:"readonly"`
	Amount      portico.Money `json:"amount" api:"readonly"`
	Status      string        `json:"status"`
	Description string        `json:"description" api:"readonly"`
	CreatedAt   timestamp     `json:"created_at" api:"readonly"`
	UpdatedAt   timestamp     `json:"updated_at" api:"readonly"`
}

// createPayment records a payment (status defaults to completed). With an
// Idempotency-Key header, the same key and body again get the first answer
// (and change nothing); the same key with another body is refused (422).
func (a *api) createPayment(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	var v paymentView
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	p := &portico.Payment{AccountID: v.AccountID, Amount: v.Amount, Status: v.Status, Description: v.Description}
	replayed, err := a.svc.CreatePayment(r.Context(), actor, p, idempotencyKey(r))
	if err != nil {
		return err
	}
	writeCreated(w, replayed, newPaymentView(p))
	return nil
}

func (a *api) getPayment(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, "Payment")
	if err != nil {
		return err
	}
	p, err := a.svc.FindPayment(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newPaymentView(p))
	return nil
}

// updatePayment changes a payment's status: pending → completed or
// cancelled, completed → cancelled (the ledger gets a reversing entry).
func (a *api) updatePayment(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Payment")
	if err != nil {
		return err
	}
	p, err := a.svc.FindPayment(r.Context(), id)
	if err != nil {
		return err
	}
	v := paymentPatch{Status: p.Status}
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	if p, err = a.svc.SetPaymentStatus(r.Context(), actor, id, v.Status); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newPaymentView(p))
	return nil
}

// listPayments serves ?account_id=, ?status= and paging.
func (a *api) listPayments(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := portico.PaymentFilter{Status: r.URL.Query().Get("status"), After: after, Limit: limit}
	bad := portico.FieldErrors{}
	if f.Status != "" && !portico.ValidPaymentStatus(f.Status) {
		bad.Add("status", "status must be pending, completed or cancelled.")
	}
	f.AccountID = accountParam(r, bad, false)
	if err := bad.Err(); err != nil {
		return err
	}
	p, err := a.svc.ListPayments(r.Context(), f)
	if err != nil {
		return err
	}
	writeList(w, p, newPaymentView)
	return nil
}

// accountParam reads ?account_id=.
func accountParam(r *http.Request, bad portico.FieldErrors, required bool) int64 {
	s := r.URL.Query().Get("account_id")
	if s == "" {
		if required {
			bad.Add("account_id", "account_id is required.")
		}
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		bad.Add("account_id", "account_id must be an account's id.")
	}
	return id
}

// ledgerEntryView is one ledger entry. kind and amount are what a client
// sends for an adjustment or a credit.
type ledgerEntryView struct {
	ID          int64         `json:"id" api:"readonly"`
	AccountID   int64         `json:"account_id"`
	Kind        string        `json:"kind"`
	Amount      portico.Money `json:"amount"`
	Description string        `json:"description"`
	PaymentID   *int64        `json:"payment_id" api:"readonly"`
	CDRCount    int           `json:"cdr_count" api:"readonly"`
	CreatedAt   timestamp     `json:"created_at" api:"readonly"`
}

func newLedgerEntryView(e *portico.LedgerEntry) ledgerEntryView {
	return ledgerEntryView{ID: e.ID, AccountID: e.AccountID, Kind: e.Kind, Amount: e.Amount, Description: e.Description,
		PaymentID: e.PaymentID, CDRCount: e.CDRCount, CreatedAt: timestamp(e.CreatedAt)}
}

// createAdjustment adds an adjustment (amount of either sign; kind
// "adjustment", the default) or a credit (kind "credit", positive) to an
// account's ledger, idempotently like createPayment.
func (a *api) createAdjustment(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	var v ledgerEntryView
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	e := &portico.LedgerEntry{AccountID: v.AccountID, Kind: v.Kind, Amount: v.Amount, Description: v.Description}
	replayed, err := a.svc.AddLedgerEntry(r.Context(), actor, e, idempotencyKey(r))
	if err != nil {
		return err
	}
	writeCreated(w, replayed, newLedgerEntryView(e))
	return nil
}

// listLedger serves an account's ledger (?account_id=, required) oldest
// first.
func (a *api) listLedger(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	bad := portico.FieldErrors{}
	id := accountParam(r, bad, true)
	if err := bad.Err(); err != nil {
		return err
	}
	p, err := a.svc.ListLedger(r.Context(), id, after, limit)
	if err != nil {
		return err
	}
	writeList(w, p, newLedgerEntryView)
	return nil
}
