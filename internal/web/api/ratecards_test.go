package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

// send makes a request as token with a raw body and extra headers
// (Content-Type, Idempotency-Key…).
func (e *env) send(token, method, path string, body []byte, headers map[string]string) response {
	e.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

const deckCSV = "prefix,name,rate,connection_fee,mcd,pulse,effective_date\n" +
	"44,United Kingdom,0.012,0,30,6,2026-01-01\n" +
	"447,UK Mobile,0.05,0.02,1,1,2026-01-01\n" +
	"1,USA,0.005,0,6,6,2026-01-01\n"

func (e *env) putRates(card int64, csv string) response {
	e.t.Helper()
	return e.send(e.owner, "PUT", pathf("/api/v1/ratecards/%d/rates", card), []byte(csv), map[string]string{"Content-Type": "text/csv"})
}

// lines returns the "lines" of a 422 upload answer as "N field: message".
func (r response) lines(t *testing.T) []string {
	t.Helper()
	var body struct {
		Error struct {
			Code  string `json:"code"`
			Lines []struct {
				Line, Item     int
				Field, Message string
			} `json:"lines"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Error.Code != "invalid" {
		t.Fatalf("not an invalid error: %s", r.Body)
	}
	var out []string
	for _, l := range body.Error.Lines {
		out = append(out, pathf("%d %s: %s", l.Line+l.Item, l.Field, l.Message))
	}
	return out
}

func TestRateCardLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		card := e.must(201, "POST", "/api/v1/ratecards", map[string]any{"name": "Retail", "currency": "usd", "direction": "termination"})
		cardID := id(t, card)
		for k, want := range map[string]any{"currency": "USD", "precision": float64(6), "rounding": "half_up", "latest_version": float64(0)} {
			if card[k] != want {
				t.Errorf("new card %s = %v, want %v", k, card[k], want)
			}
		}
		if r := e.request(e.owner, "POST", "/api/v1/ratecards", map[string]any{"name": "Retail"}); r.Status != http.StatusConflict {
			t.Errorf("duplicate name: %d %s", r.Status, r.Body)
		}
		r := e.request(e.owner, "POST", "/api/v1/ratecards", map[string]any{"name": "X", "direction": "sideways", "precision": 9, "currency": "dollars"})
		if _, f := r.errorFields(t); r.Status != 422 || f["direction"] == nil || f["precision"] == nil || f["currency"] == nil {
			t.Errorf("bad card: %d %s", r.Status, r.Body)
		}

		// Load, reload (no new version), load a correction.
		if r := e.putRates(cardID, deckCSV); r.Status != 201 || !strings.Contains(string(r.Body), `"version":1`) || !strings.Contains(string(r.Body), `"rows":3`) {
			t.Fatalf("first load: %d %s", r.Status, r.Body)
		}
		if r := e.putRates(cardID, deckCSV); r.Status != 200 || !strings.Contains(string(r.Body), `"created":false`) {
			t.Fatalf("same deck again: %d %s", r.Status, r.Body)
		}
		v2 := strings.Replace(deckCSV, "0.012", "0.011", 1)
		if r := e.putRates(cardID, v2); r.Status != 201 || !strings.Contains(string(r.Body), `"version":2`) {
			t.Fatalf("second load: %d %s", r.Status, r.Body)
		}
		got := e.must(200, "GET", pathf("/api/v1/ratecards/%d", cardID), nil)
		versions, _ := got["versions"].([]any)
		if got["latest_version"] != float64(2) || len(versions) != 2 || versions[0].(map[string]any)["version"] != float64(2) {
			t.Fatalf("card with versions = %v", got)
		}

		// A bad deck: every bad line, in order; nothing loaded.
		bad := deckCSV + "33,France,abc,0,1,1,2026-01-01\n34,Spain,0.01,0,1,1,2026-02-30\n35,Portugal,-0.01,0,1,1,2026-01-01\n"
		r = e.putRates(cardID, bad)
		if r.Status != 422 {
			t.Fatalf("bad deck: %d %s", r.Status, r.Body)
		}
		want := []string{`5 rate: Rate "abc" is not a number.`, `6 effective_date: Effective date "2026-02-30" is not a date like 2026-01-31 (YYYY-MM-DD, UTC).`,
			`7 rate: Rate cannot be negative.`}
		if got := r.lines(t); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("lines = %q\nwant    %q", got, want)
		}
		if _, f := r.errorFields(t); f["line 5"] == nil {
			t.Errorf("fields do not name line 5: %s", r.Body)
		}
		if got := e.must(200, "GET", pathf("/api/v1/ratecards/%d", cardID), nil); got["latest_version"] != float64(2) {
			t.Errorf("a bad deck made a version: %v", got["latest_version"])
		}
		if r := e.send(e.owner, "PUT", pathf("/api/v1/ratecards/%d/rates", cardID), []byte(deckCSV), map[string]string{"Content-Type": "application/json"}); r.Status != 422 {
			t.Errorf("deck sent as JSON: %d", r.Status)
		}
		if r := e.send(e.owner, "PUT", "/api/v1/ratecards/999/rates", []byte(deckCSV), map[string]string{"Content-Type": "text/csv"}); r.Status != 404 {
			t.Errorf("deck for a missing card: %d", r.Status)
		}
		// Header mapping and a default effective date, by query string.
		mapped := "Code;Destination;Price\n49;Germany;0.02\n"
		r = e.send(e.owner, "PUT", pathf("/api/v1/ratecards/%d/rates?map=rate%%3DPrice&effective_date=2026-03-01", cardID), []byte(mapped), map[string]string{"Content-Type": "text/csv"})
		if r.Status != 201 {
			t.Fatalf("mapped deck: %d %s", r.Status, r.Body)
		}

		// Rows of a version, newest by default, filtered by prefix.
		rows := items(t, e.must(200, "GET", pathf("/api/v1/ratecards/%d/rates?version=2&prefix=44", cardID), nil))
		if len(rows) != 2 || rows[0]["prefix"] != "44" || rows[0]["rate"] != "0.011" || rows[0]["mcd"] != float64(30) || rows[0]["effective_date"] != "2026-01-01" {
			t.Errorf("rows = %v", rows)
		}
		if rows := items(t, e.must(200, "GET", pathf("/api/v1/ratecards/%d/rates", cardID), nil)); len(rows) != 1 || rows[0]["prefix"] != "49" {
			t.Errorf("newest version's rows = %v", rows)
		}

		// Settings change; the support role reads but cannot write.
		if got := e.must(200, "PATCH", pathf("/api/v1/ratecards/%d", cardID), map[string]any{"precision": 4, "rounding": "up"}); got["precision"] != float64(4) || got["name"] != "Retail" {
			t.Errorf("PATCH = %v", got)
		}
		if r := e.request(e.support, "GET", pathf("/api/v1/ratecards/%d", cardID), nil); r.Status != 200 {
			t.Errorf("support read: %d", r.Status)
		}
		if r := e.send(e.support, "PUT", pathf("/api/v1/ratecards/%d/rates", cardID), []byte(deckCSV), map[string]string{"Content-Type": "text/csv"}); r.Status != 403 {
			t.Errorf("support load: %d", r.Status)
		}

		// Assigned to a customer by PATCH; then it cannot be deleted.
		cust := id(t, e.must(201, "POST", "/api/v1/customers", customerBody("Globex")))
		if got := e.must(200, "PATCH", pathf("/api/v1/customers/%d", cust), map[string]any{"ratecard_id": cardID}); got["ratecard_id"] != float64(cardID) {
			t.Fatalf("ratecard_id after PATCH = %v", got["ratecard_id"])
		}
		if got := e.must(200, "PATCH", pathf("/api/v1/customers/%d", cust), map[string]any{"notes": "x"}); got["ratecard_id"] != float64(cardID) {
			t.Fatalf("a PATCH without ratecard_id changed it: %v", got["ratecard_id"])
		}
		eur := id(t, e.must(201, "POST", "/api/v1/ratecards", map[string]any{"name": "Euro", "currency": "EUR"}))
		r = e.request(e.owner, "PATCH", pathf("/api/v1/customers/%d", cust), map[string]any{"ratecard_id": eur})
		if _, f := r.errorFields(t); r.Status != 422 || !strings.Contains(pathf("%v", f["ratecard_id"]), "prices in EUR") {
			t.Errorf("currency mismatch: %d %s", r.Status, r.Body)
		}
		if r := e.request(e.owner, "DELETE", pathf("/api/v1/ratecards/%d", cardID), nil); r.Status != 409 {
			t.Errorf("deleting a card in use: %d %s", r.Status, r.Body)
		}
		carr := id(t, e.must(201, "POST", "/api/v1/carriers", customerBody("Initech")))
		if got := e.must(200, "PATCH", pathf("/api/v1/carriers/%d", carr), map[string]any{"ratecard_id": cardID}); got["ratecard_id"] != float64(cardID) {
			t.Fatalf("carrier ratecard_id = %v", got["ratecard_id"])
		}
		e.must(204, "DELETE", pathf("/api/v1/ratecards/%d", eur), nil)
		if got := items(t, e.must(200, "GET", "/api/v1/ratecards", nil)); len(got) != 1 {
			t.Errorf("cards = %v", got)
		}
	})
}
