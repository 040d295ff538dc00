package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"portico/internal/app"
	"portico/internal/portico"
)

// The operator's money flows in the control panel (steps of
// acceptanceSteps): a rate card loaded from a CSV file (a bad file first)
// and searched, a new customer on that card, payments and an adjustment
// changing its balance, the payments list, and the CDR list filtered. They
// use their own customer, Umbrella, so the portal's steps keep Globex's
// money to themselves.

// rateDeck is Acme's retail deck. badRateDeck breaks it on lines 3 and 4.
const (
	rateDeck = "prefix,name,rate,connection_fee,mcd,pulse,effective_date\n" +
		"44,United Kingdom,0.0100,0,0,1,2026-01-01\n" +
		"447,United Kingdom Mobile,0.0500,0,30,6,2026-01-01\n" +
		"1,United States,0.0050,0,6,6,2026-01-01\n"
	badRateDeck = "prefix,name,rate,connection_fee,mcd,pulse,effective_date\n" +
		"44,United Kingdom,0.0100,0,0,1,2026-01-01\n" +
		"447,United Kingdom Mobile,0.05.00,0,30,6,2026-01-01\n" +
		"1,United States,0.0050,0,6,6,2026-13-01\n"
)

// rateRows lists the prefixes of the rates shown on a card's page.
const rateRows = `section[aria-labelledby="rates-title"] tbody td:first-child`

func (f *flow) panelRateCard() {
	f.open(f.panel("/"), "panel/dashboard", 200)
	f.press("Rate cards", "panel/ratecards", 200)
	f.press("+ Add rate card", "panel/ratecard_form:new", 200)
	f.fill("f-name", "Acme Retail")
	f.fill("f-currency", "USD")
	f.choose("f-direction", "Termination (calls the account sends)")
	f.press("Save", "panel/ratecard_form:empty", 200)
	f.wantText("p.notice.ok", "Created.")
	f.wantText("main", "No rates yet.")

	// A bad file loads nothing; each problem is named with its line, and
	// the file's text comes back in the box to be fixed there.
	f.press("Import rates", "panel/ratecard_import", 200)
	deck := filepath.Join(f.t.TempDir(), "acme-retail.csv")
	if err := os.WriteFile(deck, []byte(badRateDeck), 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.do("choose the deck", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{deck}))
	f.press("Load rates", "panel/ratecard_import:invalid", 422)
	f.wantText(".error-summary", "2 problems in 2 lines; nothing was written.")
	f.wantList("#problems tbody td:first-child", "3", "4")
	f.wantText("#problems", `Rate "0.05.00" is not a number.`, "2026-13-01")
	f.wantText(".notice", "The text of acme-retail.csv is in the box below")
	if got := f.value("f-csv"); strings.TrimSpace(got) != strings.TrimSpace(badRateDeck) {
		f.t.Errorf("the paste box holds %q, want the uploaded file", got)
	}
	f.fill("f-csv", rateDeck)
	f.press("Load rates", "panel/ratecard_form:edit", 200)
	f.wantText("p.notice.ok", "Rates loaded as a new version")
	f.wantText(`section[aria-labelledby="versions-title"] table`, "Version 1", "3", "pasted text")
	f.wantList(rateRows, "44", "447", "1")

	// Digits search prefixes, words search destination names.
	f.fill("q", "mobile")
	f.press("Search", "panel/ratecard_form:search", 200)
	f.wantList(rateRows, "447")
	f.fill("q", "44")
	f.press("Search", "panel/ratecard_form:search", 200)
	f.wantList(rateRows, "44", "447")
	f.press("Rate cards", "panel/ratecards", 200)
	f.wantText("table", "Acme Retail", "USD", "termination")
}

// balance checks the balance, credit limit and available credit shown.
func (f *flow) balance(balance, limit, available string) {
	f.t.Helper()
	if got := f.texts(".billing dl dd"); strings.Join(got, "|") != balance+"|"+limit+"|"+available {
		f.t.Errorf("balance box shows %q, want %s, %s, %s", got, balance, limit, available)
	}
}

func (f *flow) panelBalance() {
	f.press("Customers", "panel/accounts", 200)
	f.press("+ Add customer", "panel/account_form:new", 200)
	f.fill("f-name", "Umbrella")
	f.fill("f-currency", "USD")
	f.fill("f-credit_limit", "100")
	f.choose("f-ratecard_id", "Acme Retail (USD, termination)")
	f.press("Save", "panel/account_form:created", 200)
	f.wantText("p.notice.ok", "Created.")
	f.umbrellaID = f.idFrom("/customers/")
	f.wantText("#f-ratecard_id option:checked", "Acme Retail")
	f.balance("0.00 USD", "100.00 USD", "100.00 USD")
	f.wantText(".billing", "Nothing in the ledger yet.")

	// A mistyped amount is named next to its field; what was typed stays.
	f.fill("f-payment_amount", "50,00")
	f.fill("f-payment_description", "Bank transfer")
	f.press("Record payment", "panel/account_form:payment-invalid", 422)
	f.wantText("#f-payment_amount-error", "Amount is not a number.")
	f.wantField("f-payment_amount", "50,00")
	f.wantField("f-payment_description", "Bank transfer")
	f.wantField("f-name", "Umbrella")

	f.fill("f-payment_amount", "50")
	f.press("Record payment", "panel/account_form:billing", 200)
	f.wantText("p.notice.ok", "Payment recorded.")
	f.balance("50.00 USD", "100.00 USD", "150.00 USD")
	f.wantText(`table[aria-labelledby="ledger-title"]`, "Bank transfer", "50.00 USD")

	// A pending payment counts once completed.
	f.fill("f-payment_amount", "25")
	f.choose("f-payment_status", "Pending (counts once completed)")
	f.fill("f-payment_description", "Card payment")
	f.press("Record payment", "panel/account_form:billing", 200)
	f.balance("50.00 USD", "100.00 USD", "150.00 USD")
	f.wantText(`table[aria-labelledby="pending-payments-title"]`, "25.00 USD", "Card payment")
	pending := f.text(`table[aria-labelledby="pending-payments-title"] tbody td:first-child`)
	f.press("Complete payment #"+pending, "panel/account_form:billing", 200)
	f.wantText("p.notice.ok", "Payment status changed.")
	f.balance("75.00 USD", "100.00 USD", "175.00 USD")
	if f.exists(`table[aria-labelledby="pending-payments-title"]`) {
		f.t.Error("a completed payment is still listed as pending")
	}

	f.fill("f-adjustment_amount", "-5")
	f.fill("f-adjustment_description", "Late fee")
	f.press("Add adjustment", "panel/account_form:billing", 200)
	f.wantText("p.notice.ok", "Adjustment added")
	f.balance("70.00 USD", "100.00 USD", "170.00 USD")
	f.wantList(`table[aria-labelledby="ledger-title"] tbody td:nth-child(3)`,
		"Late fee", "Payment #"+pending+": Card payment", f.paymentOf("Bank transfer"))
}

// paymentOf is the ledger description of the Umbrella payment with desc.
func (f *flow) paymentOf(desc string) string {
	f.t.Helper()
	for _, d := range f.texts(`table[aria-labelledby="ledger-title"] tbody td:nth-child(3)`) {
		if strings.HasPrefix(d, "Payment #") && strings.HasSuffix(d, ": "+desc) {
			return d
		}
	}
	f.t.Fatalf("the ledger has no payment %q", desc)
	return ""
}

func (f *flow) panelPayments() {
	first := strings.TrimPrefix(strings.TrimSuffix(f.paymentOf("Bank transfer"), ": Bank transfer"), "Payment #")
	f.press("Payments of this account", "panel/payments", 200)
	f.wantField("f-account", f.umbrellaID)
	f.wantText("table", "Umbrella", "50.00 USD", "Bank transfer", "25.00 USD", "Card payment", "completed")
	if n := len(f.texts("table tbody tr")); n != 2 {
		f.t.Errorf("Umbrella's payments list %d rows, want 2", n)
	}
	// Cancelling a completed payment reverses it.
	f.press("Cancel payment #"+first, "panel/payments", 200)
	f.wantText("p.notice.ok", "Payment status changed.")
	f.choose("f-status", "Cancelled")
	f.press("Filter", "panel/payments:filtered", 200)
	f.wantList("table tbody td:first-child", first)
	f.open(f.panel("/customers/"+f.umbrellaID), "panel/account_form:billing", 200)
	f.balance("20.00 USD", "100.00 USD", "120.00 USD")
	f.wantText(`table[aria-labelledby="ledger-title"]`, "Cancelled payment #"+first+": Bank transfer", "-50.00 USD")
}

// setDate sets a date input, which takes no typed text in Chromium.
func (f *flow) setDate(id, day string) {
	f.t.Helper()
	eval[chromedp.Void](f.ui, `(() => { const e = document.getElementById(`+js(id)+`); e.value = `+js(day)+`;
		e.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	f.wantField(id, day)
}

// cdrNumbers lists the numbers called in the CDR list.
const cdrNumbers = "table tbody td:nth-child(4)"

func (f *flow) panelCDRs() {
	// Umbrella's switch sends three calls; the third is to a destination
	// its card does not price.
	svc := f.in.Server.Service()
	owner, err := svc.DB.Read().FindUserByEmail(context.Background(), ownerEmail)
	if err != nil {
		f.t.Fatal(err)
	}
	umbrella, _ := strconv.ParseInt(f.umbrellaID, 10, 64)
	day := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	cdrs := []portico.CDR{
		{CallID: "e2e-1", StartTime: day, DestinationNumber: "447700900123", Duration: 65, SIPCode: 200, SIPReason: "OK"},
		{CallID: "e2e-2", StartTime: day.Add(time.Hour), DestinationNumber: "+14155550100", SIPCode: 486, SIPReason: "Busy Here"},
		{CallID: "e2e-3", StartTime: day.AddDate(0, 0, 1), DestinationNumber: "81312345678", Duration: 42, SIPCode: 200, SIPReason: "OK"},
	}
	for i := range cdrs {
		cdrs[i].Switch, cdrs[i].CustomerID, cdrs[i].SourceNumber = "umbrella-sbc", umbrella, "442079460000"
	}
	a := app.Actor{UserID: owner.ID, Email: owner.Email, Role: owner.Role, IP: "127.0.0.1"}
	if _, err := svc.IngestCDRs(context.Background(), a, cdrs, "e2e"); err != nil {
		f.t.Fatal(err)
	}

	f.press("CDRs", "panel/cdrs", 200)
	f.choose("f-account", "Umbrella (customer)")
	f.press("Filter", "panel/cdrs:filtered", 200)
	f.wantList(cdrNumbers, "447700900123", "+14155550100", "81312345678")
	// 65 s on 30/6 bills 66 s at 0.05 a minute.
	f.wantText("table tbody tr:first-child", "2026-11-02 09:30 UTC", "Umbrella", "United Kingdom Mobile", "1:05", "1:06", "0.05", "0.055 USD", "200 OK")
	f.wantText("table tbody tr:nth-child(2)", "United States", "0:00", "486 Busy Here")
	f.wantText("table tbody tr:nth-child(3)", "Unrated")

	// Umbrella's answered calls on 2 November (UTC).
	f.setDate("f-from", "2026-11-02")
	f.setDate("f-to", "2026-11-02")
	f.tick("f-connected", true)
	f.press("Filter", "panel/cdrs:filtered", 200)
	f.wantList(cdrNumbers, "447700900123")
	f.wantField("f-from", "2026-11-02")
	f.press("Clear", "panel/cdrs", 200)
	f.choose("f-account", "Umbrella (customer)")
	f.fill("f-number", "+1")
	f.press("Filter", "panel/cdrs:filtered", 200)
	f.wantList(cdrNumbers, "+14155550100")
	f.tick("f-unrated", true)
	f.fill("f-number", "")
	f.press("Filter", "panel/cdrs:filtered", 200)
	f.wantList(cdrNumbers, "81312345678")

	// Download CSV: the same filter, every column, in the browser's
	// session (fetched, since a download leaves no page to check).
	f.tick("f-unrated", false)
	f.press("Filter", "panel/cdrs:filtered", 200)
	got := eval[string](f.ui, `(async () => { const r = await fetch(document.querySelector("a[download]").href); return r.status + " " + r.headers.get("Content-Type") + "\n" + await r.text(); })()`)
	if !strings.HasPrefix(got, "200 text/csv") || strings.Count(got, "\n") != 5 || !strings.Contains(got, ",Umbrella,") ||
		!strings.Contains(got, "2026-11-02T09:30:00Z,e2e-1,umbrella-sbc") || !strings.Contains(got, "United Kingdom Mobile") {
		f.t.Errorf("the CDR download of Umbrella's calls:\n%s", got)
	}

	// The charges are in Umbrella's ledger.
	f.press("Umbrella", "panel/account_form:billing", 200)
	f.wantText(`table[aria-labelledby="ledger-title"] tbody tr:first-child`, "charges", "Charges for 3 calls", "-0.055")
}
