// Package chart draws the daily bar chart of the traffic summaries (the
// portal's Summary and Carrier Portal, the control panel's traffic pages)
// as SVG on the server: no script, and the tables beside it hold the same
// figures. Each app parses Template into its pages and passes a Chart to
// {{template "chart" .}}.
package chart

import (
	_ "embed"

	"portico/internal/app"
	"portico/internal/portico"
)

// Template defines the "chart" template; its data is a Chart.
//
//go:embed chart.html
var Template string

// Chart is a bar chart of amounts per day.
type Chart struct {
	ID            string // of the caption, unique on the page
	Width, Height int
	Bars          []Bar
	Max           string
	Label         string
}

// Bar is one day's bar; Title is its figure, as a tooltip.
type Bar struct {
	X, Y, W, H int
	Title      string
}

// Daily draws one bar per day of its Amount, scaled to the largest
// (negative amounts draw nothing); label and currency go into the caption.
func Daily(id string, days []app.Totals, label, currency string) Chart {
	const height, barW, gap = 160, 18, 4
	c := Chart{ID: id, Width: len(days) * (barW + gap), Height: height, Label: label}
	var top portico.Money
	for _, d := range days {
		top = max(top, d.Amount)
	}
	c.Max = top.String() + " " + currency
	for i, d := range days {
		h := 0
		if top > 0 && d.Amount > 0 {
			h = max(1, int(int64(d.Amount)*(height-20)/int64(top)))
		}
		c.Bars = append(c.Bars, Bar{X: i * (barW + gap), Y: height - h, W: barW, H: h,
			Title: d.Start.Format("2 Jan") + ": " + d.Amount.String() + " " + currency})
	}
	return c
}
