package api_test

import (
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

// billingSetup makes a card from deckCSV and a customer and a carrier on it.
func billingSetup(e *env) (cust, carr int64) {
	card := id(e.t, e.must(201, "POST", "/api/v1/ratecards", map[string]any{"name": "Retail", "currency": "USD", "direction": "termination"}))
	if r := e.putRates(card, deckCSV); r.Status != 201 {
		e.t.Fatalf("load: %s", r.Body)
	}
	cust = id(e.t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "ratecard_id": card, "credit_limit": "5"}))
	carr = id(e.t, e.must(201, "POST", "/api/v1/carriers", map[string]any{"name": "Initech", "ratecard_id": card}))
	return cust, carr
}

func (e *env) postCDRs(body string, contentType string) response {
	e.t.Helper()
	return e.send(e.owner, "POST", "/api/v1/cdrs", []byte(body), map[string]string{"Content-Type": contentType})
}

func TestCDRIngestAndListing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cust, carr := billingSetup(e)
		cdr := func(callID, dest string, seconds int, extra string) string {
			return pathf(`{"call_id":%q,"switch":"sw1","start_time":"2026-02-10T10:00:00Z","customer_id":%d,"carrier_id":%d,`+
				`"source_number":"442071234567","destination_number":%q,"duration":%d,"sip_code":200,"sip_reason":"OK"%s}`,
				callID, cust, carr, dest, seconds, extra)
		}
		array := "[" + strings.Join([]string{
			cdr("a", "442071234567", 37, ""),                                      // 42 s × 0.012/60 = 0.0084
			cdr("b", "447700900123", 60, ""),                                      // 0.02 + 0.05 = 0.07
			cdr("c", "8613800000000", 60, ""),                                     // no prefix: unrated
			cdr("d", "4930123456", 120, `,"charge":"1.50","carrier_cost":"0.90"`), // priced by the switch
			cdr("e", "12125551234", 0, `,"charge":null`),                          // null = rate it: a 0 s call is free
		}, ",") + "]"
		r := e.postCDRs(array, "application/json")
		if r.Status != 200 || string(r.Body) != `{"accepted":5,"duplicates":0,"unrated":1}`+"\n" {
			t.Fatalf("POST array: %d %s", r.Status, r.Body)
		}
		// Nothing prices call c yet: rating again leaves it unrated.
		if r := e.send(e.owner, "POST", "/api/v1/cdrs/rate-unrated", nil, nil); r.Status != 200 || string(r.Body) != `{"rated":0,"unrated":1}`+"\n" {
			t.Fatalf("POST rate-unrated: %d %s", r.Status, r.Body)
		}
		// The same again as NDJSON, plus one new: nothing counted twice.
		ndjson := strings.Join([]string{cdr("a", "442071234567", 37, ""), cdr("b", "447700900123", 60, ""), cdr("f", "447700900123", 1, "")}, "\n") + "\n"
		if r := e.postCDRs(ndjson, "application/x-ndjson"); r.Status != 200 || string(r.Body) != `{"accepted":1,"duplicates":2,"unrated":0}`+"\n" {
			t.Fatalf("POST NDJSON: %d %s", r.Status, r.Body)
		}
		// 0.0084 + 0.07 + 1.50 + 0 + (0.02 + 0.05/60 = 0.020833) = 1.599233
		bal := e.must(200, "GET", pathf("/api/v1/customers/%d/balance", cust), nil)
		if bal["balance"] != "-1.599233" || bal["credit_limit"] != "5.00" || bal["available"] != "3.400767" || bal["currency"] != "USD" {
			t.Errorf("customer balance = %v", bal)
		}
		// The carrier is on the same card: 0.0084 + 0.07 + 0.90 (given) + 0 + 0.020833; call c is unrated there too.
		if bal := e.must(200, "GET", pathf("/api/v1/carriers/%d/balance", carr), nil); bal["balance"] != "-0.999233" {
			t.Errorf("carrier balance = %v", bal)
		}
		if r := e.request(e.owner, "GET", pathf("/api/v1/customers/%d/balance", carr), nil); r.Status != 404 {
			t.Errorf("a carrier's balance under /customers: %d", r.Status)
		}

		// Listing: by account, unrated only, one CDR.
		list := items(t, e.must(200, "GET", pathf("/api/v1/cdrs?account_id=%d&limit=2", cust), nil))
		if len(list) != 2 || list[0]["call_id"] != "a" || list[0]["billed_duration"] != float64(42) || list[0]["charge"] != "0.0084" ||
			list[0]["destination_name"] != "United Kingdom" || list[0]["start_time"] != "2026-02-10T10:00:00Z" || list[0]["unrated"] != false {
			t.Errorf("first page = %v", list)
		}
		unrated := items(t, e.must(200, "GET", "/api/v1/cdrs?unrated=true", nil))
		if len(unrated) != 1 || unrated[0]["call_id"] != "c" || unrated[0]["charge"] != nil {
			t.Errorf("unrated = %v", unrated)
		}
		if got := items(t, e.must(200, "GET", "/api/v1/cdrs?carrier_unrated=true", nil)); len(got) != 1 || got[0]["call_id"] != "c" || got[0]["carrier_cost"] != nil {
			t.Errorf("carrier_unrated = %v", got)
		}
		if r := e.request(e.owner, "GET", "/api/v1/cdrs?unrated=maybe", nil); r.Status != 422 {
			t.Errorf("unrated=maybe: %d", r.Status)
		}
		if got := e.must(200, "GET", pathf("/api/v1/cdrs/%d", id(t, unrated[0])), nil); got["destination_number"] != "8613800000000" {
			t.Errorf("GET one = %v", got)
		}
		if got := items(t, e.must(200, "GET", pathf("/api/v1/cdrs?account_id=%d&from=2026-02-11", carr), nil)); len(got) != 0 {
			t.Errorf("from filter = %v", got)
		}
		if r := e.request(e.owner, "GET", "/api/v1/cdrs?account_id=999", nil); r.Status != 422 {
			t.Errorf("unknown account filter: %d", r.Status)
		}
	})
}

func TestCDRIngestRefusesBadItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cust, _ := billingSetup(e)
		good := pathf(`{"call_id":"ok","start_time":"2026-02-10T10:00:00Z","customer_id":%d,"destination_number":"44","duration":5}`, cust)
		body := "[" + good + "," +
			pathf(`{"call_id":"x","start_time":"yesterday","customer_id":%d,"destination_number":"44","duration":5}`, cust) + "," +
			pathf(`{"call_id":"y","start_time":"2026-02-10T10:00:00Z","customer_id":%d,"destination_number":"44","duration":5,"charge":0.5}`, cust) + "," +
			`{"call_id":"z","start_time":"2026-02-10T10:00:00Z","customer_id":999,"destination_number":"44","duration":5,"colour":"red"}` + "," +
			pathf(`{"call_id":"w","start_time":"2026-02-10T10:00:00Z","customer_id":%d,"destination_number":"44","duration":-1,"charge":"NaN"}`, cust) + "]"
		r := e.postCDRs(body, "application/json")
		if r.Status != 422 {
			t.Fatalf("bad items: %d %s", r.Status, r.Body)
		}
		lines := strings.Join(r.lines(t), "\n")
		for _, want := range []string{`2 start_time: start_time "yesterday" is not a time`, `3 charge: charge must be a decimal string`,
			`4 colour: Unknown field "colour".`, `4 customer_id: Customer 999 does not exist.`, `5 charge: charge "NaN" is not a number.`, `5 duration: Duration must be 0 to`} {
			if !strings.Contains(lines, want) {
				t.Errorf("missing %q in\n%s", want, lines)
			}
		}
		if strings.HasPrefix(lines, "1 ") {
			t.Errorf("the good item was reported: %s", lines)
		}
		if got := items(t, e.must(200, "GET", "/api/v1/cdrs", nil)); len(got) != 0 {
			t.Fatalf("a refused request stored %d CDRs", len(got))
		}
		for _, b := range []string{"", "{", "[1,2]", `"text"`, "[]"} {
			if r := e.postCDRs(b, "application/json"); r.Status != 422 {
				t.Errorf("body %q: %d %s", b, r.Status, r.Body)
			}
		}
		if r := e.send(e.support, "POST", "/api/v1/cdrs", []byte("["+good+"]"), nil); r.Status != 403 {
			t.Errorf("support ingest: %d", r.Status)
		}
	})
}
