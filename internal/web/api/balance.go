package api

import (
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// billingRoutes registers the billing endpoints: rate cards and their
// rows, CDRs, payments, adjustments, ledgers and balances.
func (a *api) billingRoutes() {
	a.handle("GET /api/v1/ratecards", a.listRateCards)
	a.handle("POST /api/v1/ratecards", a.createRateCard)
	a.handle("GET /api/v1/ratecards/{id}", a.getRateCard)
	a.handle("PATCH /api/v1/ratecards/{id}", a.updateRateCard)
	a.handle("DELETE /api/v1/ratecards/{id}", a.deleteRateCard)
	a.handle("PUT /api/v1/ratecards/{id}/rates", a.putRates)
	a.handle("GET /api/v1/ratecards/{id}/rates", a.listRates)

	a.handle("POST /api/v1/cdrs", a.postCDRs)
	a.handle("GET /api/v1/cdrs", a.listCDRs)
	a.handle("GET /api/v1/cdrs/{id}", a.getCDR)
	a.handle("POST /api/v1/cdrs/rate-unrated", a.rateUnratedCDRs)

	a.handle("POST /api/v1/payments", a.createPayment)
	a.handle("GET /api/v1/payments", a.listPayments)
	a.handle("GET /api/v1/payments/{id}", a.getPayment)
	a.handle("PATCH /api/v1/payments/{id}", a.updatePayment)
	a.handle("POST /api/v1/adjustments", a.createAdjustment)
	a.handle("GET /api/v1/ledger", a.listLedger)

	for _, acc := range []accounts{{a, portico.KindCustomer, "customers"}, {a, portico.KindCarrier, "carriers"}} {
		a.handle("GET /api/v1/"+acc.plural+"/{id}/balance", acc.balance)
	}
}

// balanceView is an account's money position, in decimal strings.
type balanceView struct {
	AccountID   int64         `json:"account_id"`
	Currency    string        `json:"currency"`
	Balance     portico.Money `json:"balance"`
	CreditLimit portico.Money `json:"credit_limit"`
	Available   portico.Money `json:"available"`
}

// balance serves /customers/{id}/balance and /carriers/{id}/balance:
// balance is the sum of the ledger, available = balance + credit limit.
func (h accounts) balance(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, h.what())
	if err != nil {
		return err
	}
	b, err := h.svc.AccountBalance(r.Context(), h.kind, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, balanceView{AccountID: b.AccountID, Currency: b.Currency, Balance: b.Balance,
		CreditLimit: b.CreditLimit, Available: b.Available})
	return nil
}
