package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// goodDeck is a small rate deck with the canonical header.
const goodDeck = billing.RatesHeader + "\n" +
	"44,United Kingdom,0.0100,0,0,1,2026-01-01\n" +
	"447,United Kingdom Mobile,0.0500,0,30,6,2026-01-01\n" +
	"1,United States,0.0050,0.01,6,6,2026-01-01\n"

// badDeck has three bad lines after the good ones: lines 5, 6 and 7.
const badDeck = goodDeck +
	"44x,Bad prefix,0.01,0,0,1,2026-01-01\n" +
	"33,France,cheap,0,0,1,2026-01-01\n" +
	"44,United Kingdom again,0.02,0,0,1,2026-01-01\n"

// newRateCard creates a card with goodDeck loaded, through app.
func newRateCard(t *testing.T, e *env, name, currency string) *portico.RateCard {
	t.Helper()
	a := actorFor(t, e.svc.DB, "ops@example.com")
	card := portico.NewRateCard(name, currency)
	if err := e.svc.CreateRateCard(ctx, a, card); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.ImportRates(ctx, a, card.ID, strings.NewReader(goodDeck), billing.RatesOptions{}, "test"); err != nil {
		t.Fatal(err)
	}
	return card
}

func TestRateCardCreateAndImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		versions := func() int {
			t.Helper()
			vs, err := db.Read().FindRateCardVersions(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			return len(vs)
		}

		c.get("/ratecards").want(http.StatusOK).wantText("No rate cards yet.", "+ Add rate card")
		p := c.post("/ratecards", url.Values{"name": {" "}, "currency": {"dollars"}, "direction": {"sideways"}}).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"name": "Name", "currency": "three-letter", "direction": "termination or origination"})
		if p.value("currency") != "dollars" {
			t.Errorf("currency shows %q after the error, want what was typed", p.value("currency"))
		}
		c.post("/ratecards", url.Values{"name": {"Retail"}, "currency": {"usd"}, "direction": {"termination"}}).
			wantRedirect("/ratecards/1?flash=created")
		c.get("/ratecards/1?flash=created").want(http.StatusOK).wantText("Created.", "No rates yet.", "Import rates")
		c.get("/ratecards/1/import").want(http.StatusOK).wantText("Import rates into Retail", billing.RatesHeader)

		// Pasted: every bad line is named, the text is kept, nothing is written.
		p = c.post("/ratecards/1/import", url.Values{"csv": {badDeck}}).want(http.StatusUnprocessableEntity)
		p.wantText("3 problems in 3 lines; nothing was written.", "Line Column Problem",
			`5 prefix Prefix "44x" must be digits only.`, `6 rate Rate "cheap" is not a number.`,
			"7 prefix Prefix 44 with effective date 2026-01-01 is already on line 2.")
		if got := strings.TrimSpace(p.value("csv")); got != strings.TrimSpace(badDeck) {
			t.Errorf("the paste box shows %q after the error, want the pasted text", got)
		}
		// Uploaded: the same, and the file's text comes back in the box.
		p = c.postFile("/ratecards/1/import", nil, "file", "deck.csv", []byte(badDeck)).want(http.StatusUnprocessableEntity)
		p.wantText("3 problems in 3 lines", "The text of deck.csv is in the box below")
		if got := strings.TrimSpace(p.value("csv")); got != strings.TrimSpace(badDeck) {
			t.Errorf("the paste box shows %q after a bad upload, want the file's text", got)
		}
		// Neither file nor text; a header without dates and no default date.
		p = c.postFile("/ratecards/1/import", nil, "file", "", nil).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"file": "Choose a CSV file or paste"})
		p = c.post("/ratecards/1/import", url.Values{"csv": {"prefix,rate\n44,0.01\n"}}).want(http.StatusUnprocessableEntity)
		p.wantText("1 effective_date The header has no effective_date column")
		if n := versions(); n != 0 {
			t.Fatalf("failed imports wrote %d versions", n)
		}

		c.postFile("/ratecards/1/import", nil, "file", "deck.csv", []byte(goodDeck)).wantRedirect("/ratecards/1?flash=rates_loaded")
		p = c.get("/ratecards/1").want(http.StatusOK)
		p.wantText("Version 1 3 deck.csv", "Rates of version 1", "447 United Kingdom Mobile 0.05 0.00 30 6 2026-01-01",
			"1 United States 0.005 0.01 6 6 2026-01-01")
		// The same rows again add nothing; a default date fills a file without one.
		c.post("/ratecards/1/import", url.Values{"csv": {goodDeck}}).wantRedirect("/ratecards/1?flash=rates_unchanged")
		c.post("/ratecards/1/import", url.Values{"csv": {"prefix,name,rate\n49,Germany,0.02\n"}, "effective_date": {"2026-12-01"}}).
			wantRedirect("/ratecards/1?flash=rates_loaded")
		if n := versions(); n != 2 {
			t.Fatalf("%d versions, want 2", n)
		}
		c.get("/ratecards/1").want(http.StatusOK).wantText("Rates of version 2", "49 Germany 0.02 0.00 0 1 2026-12-01")
		c.get("/ratecards").want(http.StatusOK).wantText("Retail USD termination 2")
	})
}

func TestRateCardSearchAndPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		card := newRateCard(t, e, "Retail", "USD")
		base := fmt.Sprintf("/ratecards/%d", card.ID)

		rows := func(p *page) []string { return p.column("rates-title", 0) }
		for q, want := range map[string][]string{
			"44": {"44", "447"}, "+1": {"1"}, "mobile": {"447"}, "KINGDOM": {"44", "447"}, "": {"44", "447", "1"}, "zzz": nil,
		} {
			p := c.get(base + "?q=" + url.QueryEscape(q)).want(http.StatusOK)
			if got := rows(p); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("search %q lists prefixes %q, want %q", q, got, want)
			}
			if p.value("q") != strings.TrimSpace(q) {
				t.Errorf("search box shows %q, want %q", p.value("q"), q)
			}
		}

		// A second version of 55 rows is paged; the first stays listable.
		var deck strings.Builder
		deck.WriteString(billing.RatesHeader + "\n")
		for i := range 55 {
			fmt.Fprintf(&deck, "%d,Zone %d,0.01,0,0,1,2026-02-01\n", 100+i, i)
		}
		c.post(base+"/import", url.Values{"csv": {deck.String()}}).wantRedirect(base + "?flash=rates_loaded")
		p := c.get(base + "?q=zone").want(http.StatusOK)
		if got := rows(p); len(got) != pageSize || got[0] != "100" {
			t.Fatalf("first page lists %d rows from %v", len(got), got[:1])
		}
		next := p.nextLink()
		if !strings.Contains(next, "q=zone") {
			t.Fatalf("Next link %q loses the search", next)
		}
		if got := rows(c.get(next).want(http.StatusOK)); strings.Join(got, " ") != "150 151 152 153 154" {
			t.Errorf("second page lists %v", got)
		}
		if got := rows(c.get(base + "?version=1").want(http.StatusOK)); len(got) != 3 {
			t.Errorf("version 1 lists %v", got)
		}
	})
}

func TestRateCardEditAndDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("ops@example.com", portico.RoleOwner)
		used := newRateCard(t, e, "Wholesale", "USD")
		spare := newRateCard(t, e, "Spare", "EUR")
		acc := &portico.Account{Kind: portico.KindCustomer, Name: "Globex", RateCardID: &used.ID}
		if err := e.svc.CreateAccount(ctx, actorFor(t, db, "ops@example.com"), acc); err != nil {
			t.Fatal(err)
		}
		usedPath := fmt.Sprintf("/ratecards/%d", used.ID)

		form := url.Values{"name": {"Wholesale A-Z"}, "currency": {"USD"}, "direction": {"origination"}, "precision": {"4"}, "rounding": {"up"}}
		c.post(usedPath, form).wantRedirect(usedPath + "?flash=saved")
		got, _ := db.Read().FindRateCardByID(ctx, used.ID)
		if got.Name != "Wholesale A-Z" || got.Direction != portico.DirectionOrigination || got.Precision != 4 || got.Rounding != portico.RoundUp {
			t.Errorf("saved card %+v", got)
		}
		// Its account bills in USD, so the card cannot change currency.
		form.Set("currency", "EUR")
		p := c.post(usedPath, form).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"currency": "another currency"})

		c.get(usedPath + "/delete").want(http.StatusOK).wantText("Delete the rate card Wholesale A-Z")
		c.post(usedPath+"/delete", nil).want(http.StatusConflict).wantText("assigned to accounts")
		c.post(fmt.Sprintf("/ratecards/%d/delete", spare.ID), nil).wantRedirect("/ratecards?flash=deleted")
		if _, err := db.Read().FindRateCardByID(ctx, spare.ID); portico.ErrorCode(err) != portico.ENOTFOUND {
			t.Errorf("the deleted card is still there: %v", err)
		}
		c.get(fmt.Sprintf("/ratecards/%d", spare.ID)).want(http.StatusNotFound)
	})
}

// column lists the text of cell i of each body row of the tables in the
// section headed by the element with id title.
func (p *page) column(title string, i int) []string {
	p.t.Helper()
	h := p.byID(title)
	if h == nil {
		p.t.Fatalf("no #%s on the page", title)
	}
	var out []string
	walk(h.Parent, func(n *htmlNode) bool {
		if n.Type == html.ElementNode && n.Data == "tr" && n.Parent.Data == "tbody" {
			var cells []string
			for td := n.FirstChild; td != nil; td = td.NextSibling {
				if td.Type == html.ElementNode {
					cells = append(cells, textOf(td))
				}
			}
			out = append(out, cells[i])
		}
		return true
	})
	return out
}

// nextLink is the href of the page's Next page link, or "".
func (p *page) nextLink() string {
	var href string
	walk(p.doc, func(n *htmlNode) bool {
		if n.Type == html.ElementNode && n.Data == "a" && attr(n, "rel") == "next" {
			href = attr(n, "href")
		}
		return true
	})
	return href
}
