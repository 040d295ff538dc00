package e2e

// The operator's traffic pages (a step of acceptanceSteps, after the CDR
// step has sent Umbrella's three calls of 2 and 3 November 2026 and left
// the browser on Umbrella's page): the account's Traffic, a month that
// cannot be read, and the Traffic of all accounts.

// dailyRows are the rows of the account traffic page's daily table.
const dailyRows = `table[aria-labelledby="daily-title"] tbody tr`

func (f *flow) panelTraffic() {
	f.press("Traffic of this account", "panel/account_traffic", 200)
	f.fill("f-month", "2026-11")
	f.press("Show", "panel/account_traffic", 200)
	f.wantText("h1", "Traffic of Umbrella")
	f.wantText(".pager", "November 2026")
	// 2 November: the 65 s call (0.055) and a busy one; 3 November: 42 s
	// unrated, counted at 0.
	f.wantText(dailyRows+":nth-child(2)", "Mon 2 Nov", "1.1", "0.055", "50.0", "1:05")
	f.wantText(dailyRows+":nth-child(3)", "Tue 3 Nov", "0.7", "0.00", "100.0", "0:42")
	f.wantText(`table[aria-labelledby="daily-title"] tfoot`, "Total", "1.8", "0.055", "66.7", "0:54")
	f.wantText("figure.chart figcaption", "Charge per day, November 2026")

	// A month that cannot be read is named at the field, as typed.
	f.fill("f-month", "2026-13")
	f.press("Show", "panel/account_traffic:invalid", 422)
	f.wantText("#f-month-error", "Month must look like 2026-01.")
	f.wantField("f-month", "2026-13")

	// Every account's traffic, by UTC day.
	f.press("Traffic", "panel/traffic", 200)
	f.fill("f-month", "2026-11")
	f.press("Show", "panel/traffic", 200)
	f.wantText("main h2", "November 2026 in USD")
	f.wantText(`table[aria-labelledby="traffic-USD"] tbody tr:nth-child(2)`, "Mon 2 Nov", "0.055")
	f.press("« Previous month", "panel/traffic:empty", 200)
	f.wantText("main", "No calls in October 2026.")
}
