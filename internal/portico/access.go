package portico

// Section is a part of the portal whose visibility the operator controls.
type Section string

// The sections a brand's access list can name. Invoices and alerts are
// accepted in settings now; their portal pages come with later work.
const (
	SectionBalance       Section = "balance"
	SectionCDR           Section = "cdr"
	SectionRateCard      Section = "rate_card"
	SectionPayments      Section = "payments"
	SectionInvoices      Section = "invoices"
	SectionSummary       Section = "summary"
	SectionCarrierPortal Section = "carrier_portal"
	SectionAlerts        Section = "alerts"
)

// Sections lists every section in display order.
var Sections = []Section{
	SectionBalance, SectionCDR, SectionRateCard, SectionPayments,
	SectionInvoices, SectionSummary, SectionCarrierPortal, SectionAlerts,
}

// SectionLabels are the names shown to people.
var SectionLabels = map[Section]string{
	SectionBalance: "Balance", SectionCDR: "CDR", SectionRateCard: "Rate Card",
	SectionPayments: "Payments", SectionInvoices: "Invoices", SectionSummary: "Summary",
	SectionCarrierPortal: "Carrier Portal", SectionAlerts: "Alerts",
}

// ValidSection reports whether s names a known section.
func ValidSection(s Section) bool {
	_, ok := SectionLabels[s]
	return ok
}

// EffectiveAccess applies an account's show/hide overrides to its brand's
// access list and returns the sections the account may see, in display order.
func EffectiveAccess(brand []Section, overrides map[Section]bool) []Section {
	on := make(map[Section]bool, len(brand))
	for _, s := range brand {
		on[s] = true
	}
	for s, show := range overrides {
		on[s] = show
	}
	var out []Section
	for _, s := range Sections {
		if on[s] {
			out = append(out, s)
		}
	}
	return out
}
