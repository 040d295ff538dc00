package portal

import (
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
)

// sectionPage is a portal section with a page of its own. Until the
// billing data exists, each shows its empty state from the account alone:
// the columns that will fill and why nothing is there yet. Invoices and
// alerts have no page yet, so they are neither listed nor served.
type sectionPage struct {
	Key     portico.Section
	Path    string
	Title   string
	Blurb   string   // one line on the dashboard
	Columns []string // of the table that will hold the data
	Empty   string   // why the table is empty, in the brand's voice
}

var sectionPages = []sectionPage{
	{Key: portico.SectionBalance, Path: "/balance", Title: "Balance",
		Blurb: "Your balance, credit limit and available credit."},
	{Key: portico.SectionCDR, Path: "/cdr", Title: "CDR",
		Blurb:   "Your call records.",
		Columns: []string{"Start", "Source", "Destination", "Destination name", "Duration", "Billed", "Charge"},
		Empty:   "No calls yet. Calls appear here once our switch sends the call records for your account."},
	{Key: portico.SectionRateCard, Path: "/rates", Title: "Rate Card",
		Blurb:   "What you pay per destination.",
		Columns: []string{"Prefix", "Destination", "Rate per minute", "Connection fee", "Billing increments", "Effective from"},
		Empty:   "No rates yet. Your rates appear here once a rate card is assigned to your account."},
	{Key: portico.SectionPayments, Path: "/payments", Title: "Payments",
		Blurb:   "Payments on your account.",
		Columns: []string{"Date", "Amount", "Status", "Description"},
		Empty:   "No payments yet. Payments appear here once they are recorded on your account."},
	{Key: portico.SectionSummary, Path: "/summary", Title: "Summary",
		Blurb:   "Daily and monthly traffic totals.",
		Columns: []string{"Period", "Attempts", "Connected", "Minutes", "Charge", "ASR", "ACD"},
		Empty:   "Nothing to total yet. Daily and monthly totals appear here once call records for your account arrive."},
	{Key: portico.SectionCarrierPortal, Path: "/carrier", Title: "Carrier Portal",
		Blurb:   "Your traffic and rates as our supplier.",
		Columns: []string{"Period", "Attempts", "Connected", "Minutes", "Amount"},
		Empty:   "No traffic yet. Calls we route through your network appear here once their call records arrive."},
}

// visibleSections are the section pages the contact's account may see, in
// display order.
func visibleSections(u *app.PortalUser) []sectionPage {
	var out []sectionPage
	for _, s := range sectionPages {
		if u.CanSee(s.Key) {
			out = append(out, s)
		}
	}
	return out
}

// section serves a section page to contacts whose account may see it.
// Everyone else gets 404, as if the page did not exist; access is read
// fresh on every request, so a change in the panel applies at once.
func (h *Handler) section(s sectionPage) http.Handler {
	return h.private(func(w http.ResponseWriter, r *http.Request, v *visit) error {
		if !v.User.CanSee(s.Key) {
			return portico.Errorf(portico.ENOTFOUND, "Page not found.")
		}
		name := "section"
		if s.Key == portico.SectionBalance {
			name = "balance"
		}
		h.render(w, r, http.StatusOK, name, h.page(v, s.Title, sectionView{sectionPage: s, Account: v.User.Account()}))
		return nil
	})
}

// sectionView is what a section template gets.
type sectionView struct {
	sectionPage
	Account portico.Account
}

// Balance is the sum of ledger entries; there are none until billing
// arrives, so it is zero and the available credit is the credit limit.
func (sectionView) Balance() portico.Money { return 0 }

// Available is the credit the account can still use.
func (v sectionView) Available() portico.Money { return v.Balance() + v.Account.CreditLimit }
