package portal

import (
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// sectionPage is a portal section with a page of its own. Invoices and
// alerts have no page yet, so they are neither listed nor served.
type sectionPage struct {
	Key   portico.Section
	Path  string
	Title string
	Blurb string // one line on the dashboard
}

var sectionPages = []sectionPage{
	{Key: portico.SectionBalance, Path: "/balance", Title: "Balance",
		Blurb: "Your balance, credit limit and available credit."},
	{Key: portico.SectionCDR, Path: "/cdr", Title: "CDR", Blurb: "Your call records."},
	{Key: portico.SectionRateCard, Path: "/rates", Title: "Rate Card", Blurb: "What you pay per destination."},
	{Key: portico.SectionPayments, Path: "/payments", Title: "Payments", Blurb: "Payments on your account."},
	{Key: portico.SectionSummary, Path: "/summary", Title: "Summary", Blurb: "Daily and monthly traffic totals."},
	{Key: portico.SectionCarrierPortal, Path: "/carrier", Title: "Carrier Portal",
		Blurb: "Your traffic and rates as our supplier."},
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

// sectionRoutes registers the sections' pages and exports, each under the
// policy of its section: contacts whose account may not see it get 404,
// as if the route did not exist. Access is read fresh on every request,
// so a change in the panel applies at once; the use cases check it again.
func (h *Handler) sectionRoutes() {
	section := func(key portico.Section, pattern string, fn handlerFunc, cursors ...string) {
		h.mux.Handle(pattern, httpx.SectionPolicy(key), h.private(func(w http.ResponseWriter, r *http.Request, v *visit) error {
			if !v.User.CanSee(key) {
				return portico.Errorf(portico.ENOTFOUND, "Page not found.")
			}
			return fn(w, r, v)
		}), cursors...)
	}
	section(portico.SectionBalance, "GET /balance", h.balance, "ledger_before")
	section(portico.SectionCDR, "GET /cdr", h.cdr, "after")
	section(portico.SectionCDR, "GET /cdr/export.csv", h.cdrExport, "after")
	section(portico.SectionRateCard, "GET /rates", h.rates)
	section(portico.SectionRateCard, "GET /rates/export.csv", h.ratesCSV)
	section(portico.SectionRateCard, "GET /rates/export.json", h.ratesJSON)
	section(portico.SectionPayments, "GET /payments", h.payments, "payments_before")
	section(portico.SectionSummary, "GET /summary", h.summary)
	section(portico.SectionCarrierPortal, "GET /carrier", h.carrier)
}
