package api

import (
	"context"
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// accountView is a customer or carrier in JSON, both ways.
type accountView struct {
	ID              int64                    `json:"id" api:"readonly"`
	Kind            portico.AccountKind      `json:"kind" api:"readonly"`
	Name            string                   `json:"name"`
	Status          string                   `json:"status"`
	Currency        string                   `json:"currency"`
	CreditLimit     portico.Money            `json:"credit_limit"`
	DomainID        *int64                   `json:"domain_id"`
	RateCardID      *int64                   `json:"ratecard_id"`
	AccessOverrides map[portico.Section]bool `json:"access_overrides"`
	TaxID           string                   `json:"tax_id"`
	TaxPercent      portico.Money            `json:"tax_percent"`
	Notes           string                   `json:"notes"`
	CreatedAt       timestamp                `json:"created_at" api:"readonly"`
	UpdatedAt       timestamp                `json:"updated_at" api:"readonly"`
}

func newAccountView(acc *portico.Account) accountView {
	overrides := acc.AccessOverrides
	if overrides == nil {
		overrides = map[portico.Section]bool{}
	}
	return accountView{
		ID: acc.ID, Kind: acc.Kind, Name: acc.Name, Status: acc.Status, Currency: acc.Currency,
		CreditLimit: acc.CreditLimit, DomainID: acc.DomainID, RateCardID: acc.RateCardID, AccessOverrides: overrides,
		TaxID: acc.TaxID, TaxPercent: acc.TaxPercent, Notes: acc.Notes,
		CreatedAt: timestamp(acc.CreatedAt), UpdatedAt: timestamp(acc.UpdatedAt),
	}
}

// applyTo copies the writable fields onto acc.
func (v *accountView) applyTo(acc *portico.Account) {
	acc.Name, acc.Status, acc.Currency, acc.CreditLimit = v.Name, v.Status, v.Currency, v.CreditLimit
	acc.DomainID, acc.RateCardID, acc.AccessOverrides = v.DomainID, v.RateCardID, v.AccessOverrides
	acc.TaxID, acc.TaxPercent, acc.Notes = v.TaxID, v.TaxPercent, v.Notes
}

// accounts serves /api/v1/customers or /api/v1/carriers: one implementation
// for both kinds, so the two can never drift apart. An id of the other kind
// is not found (app.FindAccount sees to that).
type accounts struct {
	*api
	kind   portico.AccountKind
	plural string // path segment
}

// what names the kind in not-found messages.
func (h accounts) what() string {
	if h.kind == portico.KindCarrier {
		return "Carrier"
	}
	return "Customer"
}

// list serves ?status=, ?q= (name search) and paging.
func (h accounts) list(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := portico.AccountFilter{Kind: h.kind, Status: r.URL.Query().Get("status"), Search: r.URL.Query().Get("q"), After: after, Limit: limit}
	if _, ok := portico.StatusLabels[f.Status]; f.Status != "" && !ok {
		return portico.FieldError("status", "status must be one of active, pending_approval, suspended, rejected, archived.")
	}
	p, err := h.svc.ListAccounts(r.Context(), f)
	if err != nil {
		return err
	}
	writeList(w, p, newAccountView)
	return nil
}

func (h accounts) create(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	acc := portico.Account{Kind: h.kind}
	v := newAccountView(&acc)
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	v.applyTo(&acc)
	if err := h.svc.CreateAccount(r.Context(), actor, &acc); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, newAccountView(&acc))
	return nil
}

func (h accounts) get(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, h.what())
	if err != nil {
		return err
	}
	return h.write(w, r, http.StatusOK, id)
}

func (h accounts) update(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, h.what())
	if err != nil {
		return err
	}
	acc, err := h.svc.FindAccount(r.Context(), h.kind, id)
	if err != nil {
		return err
	}
	v := newAccountView(acc)
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	v.applyTo(acc)
	if err := h.svc.UpdateAccountAndRateCard(r.Context(), actor, acc); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newAccountView(acc))
	return nil
}

// delete answers 204 when the account is gone, or 200 with the account
// when it had history and was archived instead, so the client sees which.
func (h accounts) delete(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, h.what())
	if err != nil {
		return err
	}
	archived, err := h.svc.DeleteAccount(r.Context(), actor, h.kind, id)
	if err != nil {
		return err
	}
	if archived {
		return h.write(w, r, http.StatusOK, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accounts) approve(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	return h.decide(w, r, actor, h.svc.ApproveAccount)
}

func (h accounts) reject(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	return h.decide(w, r, actor, h.svc.RejectAccount)
}

// decide runs an approve or reject use case and answers with the account
// as stored (the use case does not refresh updated_at in what it returns).
func (h accounts) decide(w http.ResponseWriter, r *http.Request, actor app.Actor,
	useCase func(context.Context, app.Actor, portico.AccountKind, int64) (*portico.Account, error)) error {
	id, err := pathID(r, h.what())
	if err != nil {
		return err
	}
	if _, err := useCase(r.Context(), actor, h.kind, id); err != nil {
		return err
	}
	return h.write(w, r, http.StatusOK, id)
}

// write answers with the account as stored.
func (h accounts) write(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	acc, err := h.svc.FindAccount(r.Context(), h.kind, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, status, newAccountView(acc))
	return nil
}
