package portal_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"portico/internal/app"
	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// dataWorld is a brand with two customers (A: ann, B: bob) on different
// rate cards, a carrier, their calls, payments and ledgers.
type dataWorld struct {
	*env
	brand          *portico.Domain
	accA, accB     *portico.Account
	carrier        *portico.Account
	cardA, cardB   *portico.RateCard
	callsA, callsB []portico.CDR // as ingested, with the charges we set
	carried        []portico.CDR // A's calls that went through the carrier
	payA           []portico.Payment
}

func money(t *testing.T, s string) portico.Money {
	t.Helper()
	m, err := portico.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newDataWorld(t *testing.T, db *store.DB, tzA string) *dataWorld {
	t.Helper()
	w := &dataWorld{env: newEnv(t, db)}
	w.brand = w.env.brand("acme.localhost", "Acme Voice", nil)
	card := func(name, deck string) *portico.RateCard {
		c := portico.NewRateCard(name, "USD")
		if err := w.svc.CreateRateCard(ctx, w.owner, c); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.ImportRates(ctx, w.owner, c.ID, strings.NewReader(billing.RatesHeader+"\n"+deck), billing.RatesOptions{}, "t.csv"); err != nil {
			t.Fatal(err, portico.ErrorFields(err))
		}
		return c
	}
	w.cardA = card("Retail A", "44,United Kingdom,0.012,0,30,6,2020-01-01\n"+
		"447,UK Mobile,0.05,0.01,0,1,2020-01-01\n"+
		"447,UK Mobile,0.04,0.01,0,1,2099-01-01\n"+ // an upcoming change
		"49,Germany,0.02,0,60,60,2020-01-01\n"+
		"1,\"=HYPERLINK(\"\"x\"\")\",0.01,0,1,1,2020-01-01\n")
	w.cardB = card("Secret B", "33,France Only B,0.99,0,1,1,2020-01-01\n")
	supplier := card("Supplier", "44,UK wholesale,0.006,0,1,1,2020-01-01\n")
	w.accA = w.account(portico.KindCustomer, "Globex", w.brand, func(a *portico.Account) { a.RateCardID = &w.cardA.ID })
	w.accB = w.account(portico.KindCustomer, "Initech", w.brand, func(a *portico.Account) { a.RateCardID = &w.cardB.ID })
	w.carrier = w.account(portico.KindCarrier, "Transit Co", w.brand, func(a *portico.Account) { a.RateCardID = &supplier.ID })
	w.contact(w.accA, "ann@globex.example", func(c *portico.Contact) { c.TimeZone = tzA })
	w.contact(w.accB, "bob@initech.example", nil)
	w.contact(w.carrier, "cat@transit.example", func(c *portico.Contact) { c.TimeZone = tzA })

	// Calls over the last 70 days, priced here so that every total can be
	// computed from this list alone.
	rng := rand.New(rand.NewPCG(7, 7))
	now := time.Now().UTC()
	numbers := []string{"442071234567", "+447712345678", "4930123456", "12125550100"}
	for i := range 260 {
		acc := w.accA
		if i%5 == 4 {
			acc = w.accB
		}
		start := now.Add(-time.Duration(rng.IntN(70*24*3600)) * time.Second).Truncate(time.Second)
		dur := rng.IntN(400)
		if i%4 == 0 {
			dur = 0 // not connected
		}
		charge := portico.Money(rng.IntN(90_000))
		rate := portico.Money(12_000)
		c := portico.CDR{Switch: "sw1", CallID: fmt.Sprintf("call%04d", i), StartTime: start,
			SourceNumber: "+442079460001", DestinationNumber: numbers[i%len(numbers)], Duration: dur, BilledDuration: dur,
			DestinationName: "UK", CustomerID: acc.ID, Charge: &charge, Rate: &rate}
		switch i {
		case 0:
			c.SourceNumber = "=cmd|' /C calc'!A0"
			c.DestinationName = "@SUM(A1)"
		case 8:
			c.DestinationName = "-1.25"
		}
		if acc == w.accA && i%3 == 0 {
			cost := portico.Money(rng.IntN(50_000))
			c.CarrierID, c.CarrierCost = w.carrier.ID, &cost
			w.carried = append(w.carried, c)
		}
		if acc == w.accA {
			w.callsA = append(w.callsA, c)
		} else {
			w.callsB = append(w.callsB, c)
		}
	}
	all := append(append([]portico.CDR(nil), w.callsA...), w.callsB...)
	if _, err := w.svc.IngestCDRs(ctx, w.owner, all, "test"); err != nil {
		t.Fatal(err)
	}
	for i, st := range []string{portico.PaymentCompleted, portico.PaymentPending, portico.PaymentCompleted, portico.PaymentCancelled} {
		for _, acc := range []*portico.Account{w.accA, w.accB} {
			p := &portico.Payment{AccountID: acc.ID, Amount: portico.Money(i+1) * 10 * portico.MoneyScale, Status: st,
				Description: fmt.Sprintf("Wire %d of %s", i, acc.Name)}
			if _, err := w.svc.CreatePayment(ctx, w.owner, p, ""); err != nil {
				t.Fatal(err)
			}
			if acc == w.accA {
				w.payA = append(w.payA, *p)
			}
		}
	}
	return w
}

func (w *dataWorld) login(email string) *browser {
	b := w.browser("acme.localhost")
	b.login(email, goodPassword)
	return b
}

var callIDCell = regexp.MustCompile(`<tr><td>(call\d+)</td></tr>`)

// pagedCallIDs follows the CDR pages from path (showing only the call id
// column) and returns every call id in order.
func pagedCallIDs(t *testing.T, b *browser, path string) []string {
	t.Helper()
	var ids []string
	next := path
	for pages := 0; next != ""; pages++ {
		if pages > 20 {
			t.Fatal("more than 20 pages")
		}
		p := b.get(next).want(t, http.StatusOK, next)
		for _, m := range callIDCell.FindAllStringSubmatch(p.Body, -1) {
			ids = append(ids, m[1])
		}
		next = ""
		if m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(p.Body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	return ids
}

// newestFirst returns the ids of calls, newest first (ties by ingest order, reversed).
func newestFirst(calls []portico.CDR) []string {
	c := slices.Clone(calls)
	slices.SortStableFunc(c, func(a, b portico.CDR) int { return b.StartTime.Compare(a.StartTime) })
	var ids []string
	for _, x := range c {
		ids = append(ids, x.CallID)
	}
	return ids
}

func sortedIDs(ids []string) []string { s := slices.Clone(ids); slices.Sort(s); return s }

// TestDataSectionsMatchAnIndependentCalculation checks every section's
// figures against sums over the calls and payments the test made.
func TestDataSectionsMatchAnIndependentCalculation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDataWorld(t, db, "Etc/GMT-2")
		b := w.login("ann@globex.example")
		loc, _ := time.LoadLocation("Etc/GMT-2")

		// Balance: completed payments minus charges.
		var want portico.Money
		for _, p := range w.payA {
			if p.Status == portico.PaymentCompleted {
				want += p.Amount
			}
		}
		for _, c := range w.callsA {
			want -= *c.Charge
		}
		bal := b.get("/balance").want(t, http.StatusOK, "balance")
		bal.has(t, "Balance</dt><dd>"+want.String()+" USD", "Credit limit</dt><dd>100.00 USD",
			"Available credit</dt><dd>"+(want+100*portico.MoneyScale).String()+" USD", "Call charges", "Wire 0 of Globex")
		bal.lacks(t, "Initech", "Wire 1 of Initech")

		// Payments with their status, newest first; none of B's.
		pay := b.get("/payments").want(t, http.StatusOK, "payments")
		pay.has(t, "Pending", "Completed", "Cancelled", "40.00", "Wire 3 of Globex")
		pay.lacks(t, "Initech")
		if i, j := strings.Index(pay.Body, "Wire 3 of Globex"), strings.Index(pay.Body, "Wire 0 of Globex"); i > j {
			t.Error("payments are not newest first")
		}

		// CDR pages: every call of A's once, newest first, none of B's.
		got := pagedCallIDs(t, b, "/cdr?cols=call_id")
		if !slices.Equal(sortedIDs(got), sortedIDs(newestFirst(w.callsA))) {
			t.Fatalf("CDR pages hold %d calls, want A's %d", len(got), len(w.callsA))
		}
		for i := 1; i < len(got); i++ {
			if a, b := w.find(got[i-1]), w.find(got[i]); a.StartTime.Before(b.StartTime) {
				t.Fatalf("CDR pages not newest first at %d", i)
			}
		}
		// Filters: connected, a number prefix, and a date range.
		day := time.Now().In(loc).AddDate(0, 0, -20).Format(portico.DateLayout)
		day2 := time.Now().In(loc).AddDate(0, 0, -10).Format(portico.DateLayout)
		var conn, num, dated []portico.CDR
		for _, c := range w.callsA {
			if c.Duration > 0 {
				conn = append(conn, c)
			}
			if strings.HasPrefix(strings.TrimPrefix(c.DestinationNumber, "+"), "4477") {
				num = append(num, c)
			}
			if d := c.StartTime.In(loc).Format(portico.DateLayout); d >= day && d <= day2 {
				dated = append(dated, c)
			}
		}
		for path, want := range map[string][]portico.CDR{
			"/cdr?cols=call_id&connected=1":                 conn,
			"/cdr?cols=call_id&number=%2B4477":              num,
			"/cdr?cols=call_id&from=" + day + "&to=" + day2: dated,
		} {
			if got := pagedCallIDs(t, b, path); !slices.Equal(sortedIDs(got), sortedIDs(newestFirst(want))) {
				t.Errorf("%s: %d calls, want %d", path, len(got), len(want))
			}
		}
		b.get("/cdr?from=yesterday").want(t, http.StatusUnprocessableEntity, "bad date").has(t, "From must be a date")
		b.get("/cdr?number=12a").want(t, http.StatusUnprocessableEntity, "bad number")

		// Export: every call, UTC times, charges summing to the same.
		rows := readCSV(t, b.get("/cdr/export.csv").want(t, http.StatusOK, "export"))
		if len(rows)-1 != len(w.callsA) {
			t.Fatalf("export has %d rows, want %d", len(rows)-1, len(w.callsA))
		}
		head := rows[0]
		col := func(name string) int { return slices.Index(head, name) }
		var sum portico.Money
		for _, r := range rows[1:] {
			sum += money(t, r[col("charge")])
			c := w.find(r[col("call_id")])
			if r[col("start_time_utc")] != c.StartTime.UTC().Format(time.RFC3339) {
				t.Errorf("export time %s, want %s", r[col("start_time_utc")], c.StartTime.UTC().Format(time.RFC3339))
			}
			if r[col("destination_name")] == "" {
				t.Error("export without the destination name")
			}
		}
		var wantSum portico.Money
		for _, c := range w.callsA {
			wantSum += *c.Charge
		}
		if sum != wantSum {
			t.Errorf("export charges sum to %s, want %s", sum, wantSum)
		}
		if slices.Contains(head, "carrier_cost") {
			t.Error("a customer's export shows the carrier cost")
		}

		// Summary: each day of this month and the month's totals.
		month := time.Now().In(loc)
		checkSummary(t, b, "/summary", w.callsA, loc, month, func(c portico.CDR) portico.Money { return *c.Charge })
		last := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0)
		checkSummary(t, b, "/summary?month="+last.Format("2006-01"), w.callsA, loc, last, func(c portico.CDR) portico.Money { return *c.Charge })
		b.get("/summary?month=13-2026").want(t, http.StatusUnprocessableEntity, "bad month")

		// The carrier's side: the calls it carried at its cost.
		cb := w.login("cat@transit.example")
		checkSummary(t, cb, "/carrier", w.carried, loc, month, func(c portico.CDR) portico.Money { return *c.CarrierCost })
		cb.get("/carrier").has(t, "UK wholesale", "0.006")
		if got := pagedCallIDs(t, cb, "/cdr?cols=call_id"); !slices.Equal(sortedIDs(got), sortedIDs(newestFirst(w.carried))) {
			t.Errorf("carrier's CDR pages hold %d calls, want the %d it carried", len(got), len(w.carried))
		}
		crows := readCSV(t, cb.get("/cdr/export.csv").want(t, http.StatusOK, "carrier export"))
		if !slices.Contains(crows[0], "carrier_cost") || slices.Contains(crows[0], "charge") {
			t.Errorf("carrier export columns %v, want carrier_cost and no customer charge", crows[0])
		}
	})
}

func (w *dataWorld) find(id string) portico.CDR {
	for _, c := range append(append([]portico.CDR(nil), w.callsA...), w.callsB...) {
		if c.CallID == id {
			return c
		}
	}
	panic("no call " + id)
}

func readCSV(t *testing.T, p page) [][]string {
	t.Helper()
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export Content-Type %q", p.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkSummary computes one month's daily totals from calls in loc and
// finds each day's row, and the month's total, on the page.
func checkSummary(t *testing.T, b *browser, path string, calls []portico.CDR, loc *time.Location, month time.Time, amount func(portico.CDR) portico.Money) {
	t.Helper()
	type tot struct {
		attempts, connected, seconds int64
		amount                       portico.Money
	}
	days := map[string]*tot{}
	var total tot
	for _, c := range calls {
		at := c.StartTime.In(loc)
		if at.Year() != month.Year() || at.Month() != month.Month() {
			continue
		}
		k := at.Format("Mon 2 Jan")
		if days[k] == nil {
			days[k] = &tot{}
		}
		for _, d := range []*tot{days[k], &total} {
			d.attempts++
			if c.Duration > 0 {
				d.connected++
			}
			d.seconds += int64(c.Duration)
			d.amount += amount(c)
		}
	}
	p := b.get(path).want(t, http.StatusOK, path)
	row := func(label string, d *tot, cell string) string {
		tenths := (d.seconds*10 + 30) / 60
		asr := "–"
		if d.attempts > 0 {
			a := (d.connected*1000 + d.attempts/2) / d.attempts
			asr = fmt.Sprintf("%d.%d", a/10, a%10)
		}
		return fmt.Sprintf(`<%s>%s</%s><td class="num">%d</td><td class="num">%d</td><td class="num">%d.%d</td><td class="num">%s</td><td class="num">%s</td>`,
			cell, label, strings.Fields(cell)[0], d.attempts, d.connected, tenths/10, tenths%10, d.amount, asr)
	}
	for k, d := range days {
		p.has(t, row(k, d, "td"))
	}
	p.has(t, row("Total", &total, `th scope="row"`), "<svg")
}

// A call at 23:30 UTC is on the next day in UTC+2 and on the same day in
// UTC-5, in the table, the date filters and the summary; the export stays
// in UTC.
func TestCDRTimeZones(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, tc := range []struct {
			zone, shown, day, otherDay string
		}{
			{"Etc/GMT-2", "2026-03-11 01:30:00", "2026-03-11", "2026-03-10"}, // UTC+2
			{"Etc/GMT+5", "2026-03-10 18:30:00", "2026-03-10", "2026-03-11"}, // UTC-5
		} {
			host := strings.ToLower(strings.NewReplacer("/", "", "+", "p", "-", "m").Replace(tc.zone)) + ".localhost"
			brand := e.brand(host, "Zone "+tc.zone, nil)
			acc := e.account(portico.KindCustomer, "Zoned "+tc.zone, brand, nil)
			email := "z" + strings.Split(host, ".")[0] + "@example.com"
			e.contact(acc, email, func(c *portico.Contact) { c.TimeZone = tc.zone })
			charge := portico.Money(1000)
			call := portico.CDR{Switch: "tz", CallID: "late-" + tc.zone, StartTime: time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC),
				SourceNumber: "1", DestinationNumber: "442071234567", Duration: 60, CustomerID: acc.ID, Charge: &charge}
			if _, err := e.svc.IngestCDRs(ctx, e.owner, []portico.CDR{call}, "t"); err != nil {
				t.Fatal(err)
			}
			b := e.browser(host)
			b.login(email, goodPassword)
			b.get("/cdr?from="+tc.day+"&to="+tc.day).want(t, http.StatusOK, tc.zone).has(t, "<td>"+tc.shown+"</td>")
			b.get("/cdr?from="+tc.otherDay+"&to="+tc.otherDay).want(t, http.StatusOK, tc.zone).lacks(t, tc.shown)
			rows := readCSV(t, b.get("/cdr/export.csv?from="+tc.day+"&to="+tc.day))
			if len(rows) != 2 || rows[1][0] != "2026-03-10T23:30:00Z" {
				t.Errorf("%s: export %v, want the call at 2026-03-10T23:30:00Z", tc.zone, rows)
			}
			d, _ := time.Parse(portico.DateLayout, tc.day)
			b.get("/summary?month=2026-03").has(t, `<td>`+d.Format("Mon 2 Jan")+`</td><td class="num">1</td><td class="num">1</td>`)
		}
	})
}

// Formula text is neutralised in CSV exports; numbers and E.164 numbers
// are written as they are.
func TestExportNeutralisesFormulas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDataWorld(t, db, "UTC")
		b := w.login("ann@globex.example")
		body := b.get("/cdr/export.csv").want(t, http.StatusOK, "export").Body
		for _, s := range []string{`"'=cmd|' /C calc'!A0"`, `"'@SUM(A1)"`, ",+442079460001,", ",-1.25,"} {
			if !strings.Contains(body, s) {
				t.Errorf("CDR export lacks %s", s)
			}
		}
		rates := b.get("/rates/export.csv").want(t, http.StatusOK, "rates export").Body
		if !strings.Contains(rates, `"'=HYPERLINK(""x"")"`) {
			t.Errorf("rates export does not neutralise the formula name:\n%s", rates)
		}
		// Both downloads are in the audit log, filed under the account.
		entries, err := db.Read().FindAuditEntries(ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if e.AccountID != nil && strings.HasPrefix(e.Actor, "contact:") {
				seen[e.Action] = true
			}
		}
		if !seen["cdr.export"] || !seen["rates.export"] {
			t.Errorf("exports not audited: %v", seen)
		}
	})
}

// The rate card: current rows, search by prefix and by name, upcoming
// changes, the CSV and the Interconnect Made Easy JSON (valid against
// the schema); never another account's card.
func TestRateCardSectionAndExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDataWorld(t, db, "UTC")
		b := w.login("ann@globex.example")
		p := b.get("/rates").want(t, http.StatusOK, "rates")
		p.has(t, "Retail A", "<td>447</td><td>UK Mobile</td><td class=\"num\">0.05</td><td class=\"num\">0.01</td><td>1/1</td><td>2020-01-01</td>",
			"<td>44</td><td>United Kingdom</td><td class=\"num\">0.012</td><td class=\"num\">0.00</td><td>30/6</td>",
			"Upcoming changes", "<td>2099-01-01</td><td>447</td>")
		p.lacks(t, "France Only B", "Secret B")
		b.get("/rates?q=49").has(t, "Germany")
		b.get("/rates?q=49").lacks(t, "United Kingdom")
		b.get("/rates?q=mobile").has(t, "UK Mobile")
		b.get("/rates?q=mobile").lacks(t, "Germany")
		b.get("/rates?q=france").lacks(t, "France Only B")

		rows := readCSV(t, b.get("/rates/export.csv").want(t, http.StatusOK, "csv"))
		if len(rows) != 1+4+1 {
			t.Errorf("rates CSV has %d rows, want header, 4 current, 1 upcoming: %v", len(rows), rows)
		}
		js := b.get("/rates/export.json").want(t, http.StatusOK, "json")
		validateIME(t, js.Body)
		var doc app.IMEDocument
		if err := json.Unmarshal([]byte(js.Body), &doc); err != nil {
			t.Fatal(err)
		}
		card := doc.Cards["default"]
		if card.Type != "termination" || card.Currency != "USD" || doc.Endpoints[card.Endpoint].Host != "acme.localhost" ||
			len(card.Rates) != 5 {
			t.Errorf("IME card %+v, endpoints %+v", card, doc.Endpoints)
		}
		if !strings.Contains(js.Body, `"0.012"`) && !strings.Contains(js.Body, `0.012,`) {
			t.Errorf("IME rate 0.012 missing:\n%s", js.Body)
		}
		// An account without a card still gets a valid document.
		bob := w.login("bob@initech.example")
		validateIME(t, bob.get("/rates/export.json").want(t, http.StatusOK, "bob json").Body)
	})
}

func validateIME(t *testing.T, body string) {
	t.Helper()
	// A copy of ../shared/data/interconnect-made-easy/schema.json (v1.0.0,
	// MIT licensed, LICENSE beside it).
	schemaPath := filepath.Join("testdata", "interconnect-made-easy", "schema.json")
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("ime.json", raw); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("ime.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("IME export is not valid against the schema: %v\n%s", err, body)
	}
}

// An account never sees another's calls, ledger or payments, even by
// naming their ids as cursors: those pages are not found.
func TestDataScoping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDataWorld(t, db, "UTC")
		ann := w.login("ann@globex.example")
		bq := db.Read().ForAccount(w.accB.ID)
		bCalls, err := bq.CDRPage(ctx, store.PortalCDRFilter{Limit: 1})
		if err != nil || len(bCalls) == 0 {
			t.Fatal("no call of B's", err)
		}
		bLedger, _ := bq.Ledger(ctx, 0, 1)
		bPay, _ := bq.Payments(ctx, 0, 1)
		bid := strconv.FormatInt(bCalls[0].ID, 10)
		for _, path := range []string{"/cdr?after=" + bid, "/cdr/export.csv?after=" + bid,
			"/balance?ledger_before=" + strconv.FormatInt(bLedger[0].ID, 10),
			"/payments?payments_before=" + strconv.FormatInt(bPay[0].ID, 10)} {
			ann.get(path).want(t, http.StatusNotFound, "A with B's cursor: "+path)
		}
		ann.get("/cdr?after=abc").want(t, http.StatusUnprocessableEntity, "a cursor that is no id")
		// The carrier's calls are not a customer's cursor either.
		export := ann.get("/cdr/export.csv").Body
		for _, c := range w.callsB {
			if strings.Contains(export, c.CallID+",") {
				t.Fatalf("A's export holds B's call %s", c.CallID)
			}
		}
		// A's own cursor works and continues after it.
		aCalls, _ := db.Read().ForAccount(w.accA.ID).CDRPage(ctx, store.PortalCDRFilter{Limit: 2})
		ann.get("/cdr?cols=call_id&after="+strconv.FormatInt(aCalls[0].ID, 10)).want(t, http.StatusOK, "own cursor").
			has(t, "<td>"+aCalls[1].CallID+"</td>")
	})
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+SUM(A1)": "'+SUM(A1)", "-2+3": "'-2+3", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"+442079460001": "+442079460001", "-1.25": "-1.25", "12": "12", "UK": "UK", "": "", "+": "'+", "-.5": "'-.5",
	} {
		if got := billing.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
