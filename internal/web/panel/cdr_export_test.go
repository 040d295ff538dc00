package panel

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// readCSV parses a download, failing the test on anything but a CSV
// attachment; it returns the header and the rows as header → cell maps.
func readCSV(t *testing.T, p *page) ([]string, []map[string]string) {
	t.Helper()
	p.want(http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="cdrs`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.Contains(p.Header.Get("Cache-Control"), "no-store") {
		t.Error("a CDR download may be cached")
	}
	recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("not CSV (%v):\n%s", err, p.Body)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return recs[0], rows
}

func cells(rows []map[string]string, col string) string {
	var out []string
	for _, r := range rows {
		out = append(out, r[col])
	}
	return strings.Join(out, " ")
}

// TestCDRExport downloads the CDR list as CSV with the list's filters:
// every matching call across all pages, every column (destination name,
// both sides' money and currencies), times in UTC, formula text
// neutralised, and each download in the audit log. Support may download
// what it may list.
func TestCDRExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		a := actorFor(t, db, "ops@example.com")
		card := newRateCard(t, e, "Retail", "USD")
		globex := &portico.Account{Kind: portico.KindCustomer, Name: "Globex", RateCardID: &card.ID}
		initech := &portico.Account{Kind: portico.KindCustomer, Name: "=Initech", Currency: "EUR"}
		transit := &portico.Account{Kind: portico.KindCarrier, Name: "Hooli Transit"}
		for _, acc := range []*portico.Account{globex, initech, transit} {
			if err := e.svc.CreateAccount(ctx, a, acc); err != nil {
				t.Fatal(err)
			}
		}
		cdrs := []portico.CDR{
			call("c1", globex.ID, 1, "447700900123", 65, 200),
			call("c2", globex.ID, 2, "+14155550100", 0, 486),
			call("c3", initech.ID, 3, "33123456789", 30, 200),
			call("c4", globex.ID, 3, "442079460001", 10, 200),
		}
		cdrs[1].SIPReason = "=HYPERLINK(\"http://evil.example\")"
		cdrs[2].DestinationName, cdrs[2].SourceNumber = "@SUM(A1:A9)", "-2+3"
		cdrs[3].CarrierID = transit.ID
		// More calls than a page of the list: the download has them all.
		for i := range pageSize + 5 {
			cdrs = append(cdrs, call(fmt.Sprint("bulk", i), globex.ID, 5, fmt.Sprint(4420000000+i), 10, 200))
		}
		if _, err := e.svc.IngestCDRs(ctx, a, cdrs, "test"); err != nil {
			t.Fatal(err)
		}

		list := c.get("/cdrs?from=2026-11-01&to=2026-11-03&number=44").want(http.StatusOK)
		if !strings.Contains(list.Body, `href="/cdrs/export.csv?from=2026-11-01&amp;number=44&amp;to=2026-11-03"`) {
			t.Errorf("the list offers no download with its filter:\n%s", list.Body)
		}

		head, rows := readCSV(t, c.get("/cdrs/export.csv"))
		if strings.Join(head, ",") != strings.Join(cdrExportHeader, ",") {
			t.Errorf("header %v", head)
		}
		if len(rows) != len(cdrs) {
			t.Fatalf("the download has %d calls, want every one of %d", len(rows), len(cdrs))
		}
		r := rows[0]
		want := map[string]string{"id": "1", "start_time_utc": "2026-11-01T10:00:00Z", "call_id": "c1", "switch": "sw1",
			"customer_id": fmt.Sprint(globex.ID), "customer": "Globex", "carrier_id": "", "carrier": "",
			"source": "442079460000", "destination": "447700900123", "destination_name": "United Kingdom Mobile",
			"duration": "65", "billed_duration": "66", "rate": "0.050000", "charge": "0.055000", "currency": "USD",
			"carrier_rate": "", "carrier_cost": "", "carrier_currency": "", "sip_code": "200", "unrated": "false"}
		for k, v := range want {
			if r[k] != v {
				t.Errorf("first row %s = %q, want %q", k, r[k], v)
			}
		}
		if rows[1]["sip_reason"] != `'=HYPERLINK("http://evil.example")` || rows[1]["destination"] != "+14155550100" {
			t.Errorf("formula not neutralised or E.164 number changed: %q %q", rows[1]["sip_reason"], rows[1]["destination"])
		}
		if r := rows[2]; r["destination_name"] != "'@SUM(A1:A9)" || r["source"] != "'-2+3" || r["customer"] != "'=Initech" ||
			r["unrated"] != "true" || r["charge"] != "" || r["currency"] != "EUR" {
			t.Errorf("third row: %v", r)
		}
		if r := rows[3]; r["carrier_id"] != fmt.Sprint(transit.ID) || r["carrier"] != "Hooli Transit" || r["carrier_currency"] != "USD" {
			t.Errorf("carrier side: %v", r)
		}

		// The list's filters, the same way.
		for query, want := range map[string]string{
			fmt.Sprintf("account=%d&to=2026-11-03", globex.ID): "447700900123 +14155550100 442079460001",
			fmt.Sprintf("account=%d", transit.ID):              "442079460001",
			"from=2026-11-02&to=2026-11-03&number=44":          "442079460001",
			"connected=1&to=2026-11-04":                        "447700900123 33123456789 442079460001",
			"unrated=1":                                        "33123456789",
			"from=2026-12-01":                                  "",
		} {
			_, rows := readCSV(t, c.get("/cdrs/export.csv?"+query))
			if got := cells(rows, "destination"); got != want {
				t.Errorf("export?%s has %q, want %q", query, got, want)
			}
		}

		// A bad filter is the list with its errors, not a file.
		p := c.get("/cdrs/export.csv?from=yesterday").want(http.StatusUnprocessableEntity)
		if p.Header.Get("Content-Disposition") != "" || p.fieldError("from") == "" {
			t.Errorf("bad filter: %q %q", p.Header.Get("Content-Disposition"), p.fieldError("from"))
		}

		support := e.user("help@example.com", portico.RoleSupport)
		_, rows = readCSV(t, support.get(fmt.Sprintf("/cdrs/export.csv?account=%d", initech.ID)))
		if len(rows) != 1 {
			t.Errorf("support's download has %d rows", len(rows))
		}
		es, err := db.Read().FilterAuditEntries(ctx, store.AuditFilter{Action: "cdr.export", Limit: 100})
		if err != nil || len(es) != 8 {
			t.Fatalf("%d cdr.export entries (%v), want one per download (8; a refused filter is none)", len(es), err)
		}
		if e := es[0]; !strings.Contains(e.Actor, "help@example.com") || e.AccountID == nil || *e.AccountID != initech.ID ||
			!strings.Contains(e.Detail, fmt.Sprintf("account=%d", initech.ID)) {
			t.Errorf("audit entry %+v", e)
		}
	})
}
