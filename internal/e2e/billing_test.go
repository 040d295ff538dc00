package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portico/internal/billing/billingtest"
	"portico/internal/portico"
	"portico/internal/testkit"
)

// send calls the API with a raw body, a Content-Type and extra headers.
func (c *apiClient) send(method, path, contentType string, body []byte, headers map[string]string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.in.URL("localhost", path), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", contentType)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// expected is an independent calculation of what Portico should book: it
// rates with big.Rat and a linear scan over every row of every version,
// sharing no code with internal/billing.
type expected struct {
	cards   map[int64][]portico.Rate // card id → rows of all versions (Version set)
	balance map[int64]*big.Rat       // account id → balance in units
	unrated int
}

func (x *expected) add(account int64, amount *big.Rat) {
	if x.balance[account] == nil {
		x.balance[account] = new(big.Rat)
	}
	x.balance[account].Add(x.balance[account], amount)
}

// charge rates one call on a card the slow way, rounding half up to the
// micro-unit; ok is false when no row is in force for the number.
func (x *expected) charge(card int64, number string, start time.Time, seconds int) (*big.Rat, bool) {
	var best *portico.Rate
	for i, r := range x.cards[card] {
		if !strings.HasPrefix(strings.TrimPrefix(number, "+"), r.Prefix) || r.Effective.After(start) {
			continue
		}
		if best == nil || len(r.Prefix) > len(best.Prefix) ||
			len(r.Prefix) == len(best.Prefix) && (r.Effective.After(best.Effective) || r.Effective.Equal(best.Effective) && r.Version > best.Version) {
			best = &x.cards[card][i]
		}
	}
	if best == nil {
		return nil, false
	}
	if seconds == 0 {
		return new(big.Rat), true
	}
	billed := (seconds + best.Pulse - 1) / best.Pulse * best.Pulse
	billed = max(billed, best.MCD)
	exact := new(big.Rat).SetFrac64(int64(best.Rate)*int64(billed), 60)
	exact.Add(exact, new(big.Rat).SetInt64(int64(best.ConnectionFee)))
	// exact is in micro-units; round half up to a whole micro-unit.
	q, r := new(big.Int).QuoRem(exact.Num(), exact.Denom(), new(big.Int))
	if new(big.Int).Mul(r, big.NewInt(2)).Cmp(exact.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return new(big.Rat).SetFrac(q, big.NewInt(portico.MoneyScale)), true
}

func units(m portico.Money) *big.Rat { return big.NewRat(int64(m), portico.MoneyScale) }

// TestBillingThroughTheProduct loads versioned rate cards by API, a
// realistic mixed CDR stream partly by API (JSON and NDJSON) and partly
// by `portico import cdrs` (overlapping the API part), payments and
// adjustments with replays, and checks every balance against an
// independent calculation; then re-imports and replays change nothing.
func TestBillingThroughTheProduct(t *testing.T) {
	testkit.Each(t, testkit.Options{}, func(t *testing.T, in *testkit.Instance) {
		api := newAPI(t, in)
		jan, feb15 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
		x := &expected{cards: map[int64][]portico.Rate{}, balance: map[int64]*big.Rat{}}

		// Two cards: Retail in two versions (every tenth prefix dearer
		// from 15 February, plus longer prefixes new from then), and
		// Supplier in one.
		retailV1 := billingtest.Deck(2000, 21, jan)
		var retailV2 []portico.Rate
		inV2 := map[string]bool{}
		for i, r := range retailV1 {
			if i%10 != 0 {
				continue
			}
			r.Rate += 1234
			longer := r
			longer.Prefix += "7"
			longer.Name += " special"
			for _, r := range []portico.Rate{r, longer} {
				if !inV2[r.Prefix] {
					inV2[r.Prefix] = true
					retailV2 = append(retailV2, r)
				}
			}
		}
		for i := range retailV2 {
			retailV2[i].Effective = feb15
		}
		supplier := billingtest.Deck(1500, 22, jan)
		newCard := func(name string, decks ...[]portico.Rate) int64 {
			card := api.must(201, "POST", "/api/v1/ratecards", map[string]any{"name": name, "currency": "USD", "direction": "termination"})
			id := int64(card["id"].(float64))
			for v, deck := range decks {
				var csv bytes.Buffer
				billingtest.WriteDeck(&csv, deck)
				if status, body := api.send("PUT", fmt.Sprintf("/api/v1/ratecards/%d/rates", id), "text/csv", csv.Bytes(), nil); status != 201 {
					t.Fatalf("load %s v%d: %d %s", name, v+1, status, body)
				}
				for _, r := range deck {
					r.Version = v + 1
					x.cards[id] = append(x.cards[id], r)
				}
			}
			return id
		}
		retail, supply := newCard("Retail", retailV1, retailV2), newCard("Supplier", supplier)

		account := func(kind, name string, card int64) int64 {
			body := map[string]any{"name": name, "credit_limit": "100"}
			if card != 0 {
				body["ratecard_id"] = card
			}
			return int64(api.must(201, "POST", "/api/v1/"+kind, body)["id"].(float64))
		}
		cust1, cust2 := account("customers", "Globex", retail), account("customers", "Umbrella", retail)
		noCard := account("customers", "Hooli", 0)
		carr1, carr2 := account("carriers", "Initech", supply), account("carriers", "Vandelay", 0)
		cardOf := map[int64]int64{cust1: retail, cust2: retail, carr1: supply}

		// 6000 calls across 15 February (either side of the new version),
		// 3% to numbers no card has, 10% priced by the switch.
		const n = 6000
		opts := billingtest.CDROptions{Seed: 9, Switch: "edge1", Start: feb15.Add(-50 * time.Minute), Customers: []int64{cust1, cust2, cust1, noCard},
			Carriers: []int64{carr1, carr1, carr2}, Deck: retailV1, Unmatched: 3, Priced: 10}
		cdrs := billingtest.CDRs(n, opts)
		for _, c := range cdrs {
			unrated := false
			if c.Charge != nil {
				x.add(c.CustomerID, new(big.Rat).Neg(units(*c.Charge)))
			} else if amount, ok := x.charge(cardOf[c.CustomerID], c.DestinationNumber, c.StartTime, c.Duration); ok {
				x.add(c.CustomerID, new(big.Rat).Neg(amount))
			} else {
				unrated = true
			}
			switch amount, ok := x.charge(cardOf[c.CarrierID], c.DestinationNumber, c.StartTime, c.Duration); {
			case c.CarrierID == 0:
			case c.CarrierCost != nil:
				x.add(c.CarrierID, new(big.Rat).Neg(units(*c.CarrierCost)))
			case ok:
				x.add(c.CarrierID, new(big.Rat).Neg(amount))
			}
			if unrated {
				x.unrated++
			}
		}

		// The first 4000 by API: JSON arrays and one NDJSON request.
		post := func(from, to int, ndjson bool) portico.IngestResult {
			var buf bytes.Buffer
			ct := "application/json"
			if ndjson {
				ct = "application/x-ndjson"
			} else {
				buf.WriteByte('[')
			}
			for i := from; i < to; i++ {
				c := cdrs[i]
				obj := map[string]any{"call_id": c.CallID, "switch": c.Switch, "start_time": c.StartTime.Format(time.RFC3339),
					"customer_id": c.CustomerID, "carrier_id": c.CarrierID, "source_number": c.SourceNumber,
					"destination_number": c.DestinationNumber, "duration": c.Duration, "sip_code": c.SIPCode, "sip_reason": c.SIPReason}
				if c.Charge != nil {
					obj["charge"] = c.Charge.String()
				}
				if c.CarrierCost != nil {
					obj["carrier_cost"] = c.CarrierCost.String()
				}
				b, _ := json.Marshal(obj)
				if !ndjson && i > from {
					buf.WriteByte(',')
				}
				buf.Write(b)
				if ndjson {
					buf.WriteByte('\n')
				}
			}
			if !ndjson {
				buf.WriteByte(']')
			}
			status, body := api.send("POST", "/api/v1/cdrs", ct, buf.Bytes(), nil)
			var r portico.IngestResult
			if status != 200 || json.Unmarshal(body, &r) != nil {
				t.Fatalf("POST cdrs [%d, %d): %d %s", from, to, status, body)
			}
			return r
		}
		var viaAPI portico.IngestResult
		for from := 0; from < 3000; from += 1000 {
			viaAPI.Add(post(from, from+1000, false))
		}
		viaAPI.Add(post(3000, 4000, true))
		if viaAPI.Accepted != 4000 || viaAPI.Duplicates != 0 {
			t.Fatalf("by API: %+v", viaAPI)
		}

		// All 6000 by the command line: the first 4000 are duplicates.
		file := filepath.Join(t.TempDir(), "cdrs.csv")
		f, _ := os.Create(file)
		billingtest.WriteCDRs(f, n, opts)
		f.Close()
		dbArgs := []string{"--data", in.Data}
		if in.DatabaseURL != "" {
			dbArgs = append(dbArgs, "--database-url", in.DatabaseURL)
		}
		out := run(t, append([]string{"import", "cdrs", file, "--batch", "700"}, dbArgs...), "")
		if !strings.Contains(out, "6000 CDRs: 2000 accepted, 4000 duplicates") {
			t.Fatalf("import cdrs: %s", out)
		}
		var unrated int
		fmt.Sscanf(out[strings.Index(out, "duplicates, ")+len("duplicates, "):], "%d unrated", &unrated)
		if unrated+viaAPI.Unrated != x.unrated || x.unrated == 0 {
			t.Errorf("unrated: %d by API + %d by file, want %d", viaAPI.Unrated, unrated, x.unrated)
		}

		// Money in: payments (one pending, later completed; one replayed)
		// and adjustments.
		pay := func(key string, account int64, amount, status string) (int, []byte) {
			body := fmt.Sprintf(`{"account_id":%d,"amount":%q,"status":%q,"description":"wire"}`, account, amount, status)
			return api.send("POST", "/api/v1/payments", "application/json", []byte(body), map[string]string{"Idempotency-Key": key})
		}
		if s, b := pay("p1", cust1, "150.25", "completed"); s != 201 {
			t.Fatalf("payment: %d %s", s, b)
		}
		_, first := pay("p2", cust2, "40", "pending")
		if s, b := pay("p2", cust2, "40", "pending"); s != 201 || !bytes.Equal(b, first) {
			t.Fatalf("payment replay: %d %s", s, b)
		}
		var p2 struct{ ID int64 }
		json.Unmarshal(first, &p2)
		api.must(200, "PATCH", fmt.Sprintf("/api/v1/payments/%d", p2.ID), map[string]any{"status": "completed"})
		pay("p3", cust1, "99", "cancelled")
		if s, b := pay("p4", carr1, "12.5", "completed"); s != 201 {
			t.Fatalf("carrier payment: %d %s", s, b)
		}
		adj := fmt.Sprintf(`{"account_id":%d,"amount":"-3.141592","description":"port fee"}`, cust2)
		for range 2 {
			if s, b := api.send("POST", "/api/v1/adjustments", "application/json", []byte(adj), map[string]string{"Idempotency-Key": "a1"}); s != 201 {
				t.Fatalf("adjustment: %d %s", s, b)
			}
		}
		x.add(cust1, big.NewRat(15025, 100))
		x.add(cust2, big.NewRat(40, 1))
		x.add(carr1, big.NewRat(125, 10))
		x.add(cust2, big.NewRat(-3141592, portico.MoneyScale))

		check := func(when string) {
			t.Helper()
			for kind, ids := range map[string][]int64{"customers": {cust1, cust2, noCard}, "carriers": {carr1, carr2}} {
				for _, id := range ids {
					got := api.must(200, "GET", fmt.Sprintf("/api/v1/%s/%d/balance", kind, id), nil)
					want := new(big.Rat)
					if x.balance[id] != nil {
						want = x.balance[id]
					}
					wantMoney, err := portico.ParseMoney(want.FloatString(6))
					if err != nil {
						t.Fatal(err)
					}
					if got["balance"] != wantMoney.String() || got["available"] != (wantMoney+100*portico.MoneyScale).String() {
						t.Errorf("%s: %s %d balance %v available %v; the independent calculation says %s", when, kind, id, got["balance"], got["available"], wantMoney)
					}
				}
			}
		}
		check("after import")

		// Re-import the file, repeat an API request and replay a payment:
		// nothing changes.
		if out := run(t, append([]string{"import", "cdrs", file}, dbArgs...), ""); !strings.Contains(out, "0 accepted, 6000 duplicates") {
			t.Fatalf("re-import: %s", out)
		}
		if r := post(0, 1000, false); r.Accepted != 0 || r.Duplicates != 1000 {
			t.Fatalf("API repeat: %+v", r)
		}
		pay("p1", cust1, "150.25", "completed")
		check("after re-imports and replays")
	})
}
