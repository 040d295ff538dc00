package api_test

import (
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

func (e *env) keyed(token, path, key, body string) response {
	e.t.Helper()
	return e.send(token, "POST", path, []byte(body), map[string]string{"Content-Type": "application/json", "Idempotency-Key": key})
}

func TestPaymentsReplayAndBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cust, _ := billingSetup(e)
		body := pathf(`{"account_id":%d,"amount":"25.50","status":"completed","description":"wire 1"}`, cust)
		first := e.keyed(e.owner, "/api/v1/payments", "pay-1", body)
		if first.Status != 201 || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first payment: %d %s", first.Status, first.Body)
		}
		// Same key, same body (whitespace aside): the first answer again.
		again := e.keyed(e.owner, "/api/v1/payments", "pay-1", strings.ReplaceAll(body, ",", ", "))
		if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s, want %s", again.Status, again.Body, first.Body)
		}
		// Same key, other body: refused.
		other := e.keyed(e.owner, "/api/v1/payments", "pay-1", strings.Replace(body, "25.50", "26", 1))
		if code, f := other.errorFields(t); other.Status != 422 || code != "invalid" || f["idempotency_key"] == nil {
			t.Fatalf("same key, other body: %d %s", other.Status, other.Body)
		}
		if bal := e.must(200, "GET", pathf("/api/v1/customers/%d/balance", cust), nil); bal["balance"] != "25.50" || bal["available"] != "30.50" {
			t.Fatalf("balance after replays = %v", bal)
		}

		// Money is refused clearly: negative, too many decimals, NaN, huge, a JSON number.
		for amount, want := range map[string]string{
			`"-5"`: "greater than zero", `"1.1234567"`: "more than 6 decimals", `"NaN"`: "is not a number",
			`"99999999999999999999"`: "is too large", `12.5`: "decimal string", `"1e3"`: "is not a number", `""`: "is empty",
		} {
			r := e.keyed(e.owner, "/api/v1/payments", "", pathf(`{"account_id":%d,"amount":%s}`, cust, amount))
			if _, f := r.errorFields(t); r.Status != 422 || !strings.Contains(pathf("%v", f["amount"]), want) {
				t.Errorf("amount %s: %d %s, want %q", amount, r.Status, r.Body, want)
			}
		}
		if r := e.keyed(e.owner, "/api/v1/payments", "", `{"account_id":999,"amount":"1"}`); r.Status != 422 {
			t.Errorf("payment to a missing account: %d %s", r.Status, r.Body)
		}
		if r := e.keyed(e.support, "/api/v1/payments", "x", body); r.Status != 403 {
			t.Errorf("support payment: %d", r.Status)
		}

		// A pending payment counts once completed, and a cancelled one is reversed.
		pending := id(t, e.must(201, "POST", "/api/v1/payments", map[string]any{"account_id": cust, "amount": "10", "status": "pending"}))
		if bal := e.must(200, "GET", pathf("/api/v1/customers/%d/balance", cust), nil); bal["balance"] != "25.50" {
			t.Errorf("pending counted: %v", bal)
		}
		if got := e.must(200, "PATCH", pathf("/api/v1/payments/%d", pending), map[string]any{"status": "completed"}); got["status"] != "completed" {
			t.Errorf("PATCH = %v", got)
		}
		if r := e.request(e.owner, "PATCH", pathf("/api/v1/payments/%d", pending), map[string]any{"amount": "1"}); r.Status != 422 {
			t.Errorf("changing an amount: %d", r.Status)
		}
		e.must(200, "PATCH", pathf("/api/v1/payments/%d", id(t, first.object(t))), map[string]any{"status": "cancelled"})
		if bal := e.must(200, "GET", pathf("/api/v1/customers/%d/balance", cust), nil); bal["balance"] != "10.00" {
			t.Errorf("after completing 10 and cancelling 25.50: %v", bal)
		}
		// The replay still answers with the first answer, not today's state.
		if r := e.keyed(e.owner, "/api/v1/payments", "pay-1", body); string(r.Body) != string(first.Body) {
			t.Errorf("replay after a change: %s", r.Body)
		}

		// Adjustments either way, keyed too.
		adj := pathf(`{"account_id":%d,"amount":"-2.345","description":"port fee"}`, cust)
		a1 := e.keyed(e.owner, "/api/v1/adjustments", "adj-1", adj)
		a2 := e.keyed(e.owner, "/api/v1/adjustments", "adj-1", adj)
		if a1.Status != 201 || string(a2.Body) != string(a1.Body) || !strings.Contains(string(a1.Body), `"kind":"adjustment"`) {
			t.Fatalf("adjustment and replay: %s / %s", a1.Body, a2.Body)
		}
		if r := e.keyed(e.owner, "/api/v1/adjustments", "", pathf(`{"account_id":%d,"amount":"-1","kind":"credit","description":"x"}`, cust)); r.Status != 422 {
			t.Errorf("negative credit: %d", r.Status)
		}
		if r := e.keyed(e.owner, "/api/v1/adjustments", "", pathf(`{"account_id":%d,"amount":"1"}`, cust)); r.Status != 422 {
			t.Errorf("adjustment without description: %d", r.Status)
		}
		if bal := e.must(200, "GET", pathf("/api/v1/customers/%d/balance", cust), nil); bal["balance"] != "7.655" {
			t.Errorf("balance = %v, want 7.655", bal)
		}

		// Lists.
		if got := items(t, e.must(200, "GET", pathf("/api/v1/payments?account_id=%d&status=completed", cust), nil)); len(got) != 1 || got[0]["amount"] != "10.00" {
			t.Errorf("completed payments = %v", got)
		}
		ledger := items(t, e.must(200, "GET", pathf("/api/v1/ledger?account_id=%d", cust), nil))
		var kinds []string
		for _, l := range ledger {
			kinds = append(kinds, pathf("%s %s", l["kind"], l["amount"]))
		}
		if strings.Join(kinds, ", ") != "payment 25.50, payment 10.00, payment -25.50, adjustment -2.345" {
			t.Errorf("ledger = %v", kinds)
		}
		if r := e.request(e.owner, "GET", "/api/v1/ledger", nil); r.Status != 422 {
			t.Errorf("ledger without account_id: %d", r.Status)
		}
		// An account with money history is archived, not deleted.
		if got := e.must(200, "DELETE", pathf("/api/v1/customers/%d", cust), nil); got["status"] != "archived" {
			t.Errorf("DELETE with a ledger = %v", got)
		}
	})
}
