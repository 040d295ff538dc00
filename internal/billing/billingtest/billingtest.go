// Package billingtest makes realistic, deterministic rate decks and CDR
// files for tests, benchmarks and the ingest harness.
package billingtest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"portico/internal/billing"
	"portico/internal/portico"
)

// Deck returns n distinct prefixes shaped like a termination deck: country
// codes, then area and mobile ranges of up to 8 digits, with rates up to
// 0.5/min, some connection fees, and increments 1/1, 30/6 and 60/60, all
// effective from effective.
func Deck(n int, seed uint64, effective time.Time) []portico.Rate {
	rng := rand.New(rand.NewPCG(seed, 1))
	increments := [][2]int{{1, 1}, {30, 6}, {60, 60}, {0, 6}}
	seen := map[string]bool{}
	rows := make([]portico.Rate, 0, n)
	for len(rows) < n {
		p := strconv.Itoa(1 + rng.IntN(9))
		for l := 1 + rng.IntN(8); len(p) < l; {
			p += strconv.Itoa(rng.IntN(10))
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		inc := increments[rng.IntN(len(increments))]
		fee := portico.Money(0)
		if rng.IntN(5) == 0 {
			fee = portico.Money(rng.Int64N(50_000))
		}
		rows = append(rows, portico.Rate{Prefix: p, Name: "Destination " + p, Rate: portico.Money(1 + rng.Int64N(500_000)),
			ConnectionFee: fee, MCD: inc[0], Pulse: inc[1], Effective: effective})
	}
	return rows
}

// WriteDeck writes rows as a CSV deck with the canonical header.
func WriteDeck(w io.Writer, rows []portico.Rate) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, billing.RatesHeader)
	for _, r := range rows {
		fmt.Fprintf(bw, "%s,%s,%s,%s,%d,%d,%s\n", r.Prefix, r.Name, r.Rate, r.ConnectionFee, r.MCD, r.Pulse, r.Effective.Format(portico.DateLayout))
	}
	return bw.Flush()
}

// CDROptions shape a generated CDR stream.
type CDROptions struct {
	Seed      uint64
	Switch    string
	Start     time.Time // first call; calls follow about a second apart
	Customers []int64
	Carriers  []int64 // may be empty
	// Deck's prefixes are dialled (most calls); others get a number
	// starting with 0, which no prefix from Deck matches, to be stored
	// unrated when the deck is the card.
	Deck []portico.Rate
	// Unmatched is the share, in percent, of calls to numbers outside
	// the deck; Priced is the share that arrive with a charge already.
	Unmatched, Priced int
	// TimeOrderedIDs makes call ids that grow with time, as Asterisk's
	// "1770000000.123" do, instead of random UUIDs (SIP Call-IDs,
	// FreeSWITCH): the easy case for the unique index.
	TimeOrderedIDs bool
}

// CDRs returns n CDRs with distinct call ids. A fifth are failed calls of
// 0 s; the others last up to an hour, most under five minutes.
func CDRs(n int, o CDROptions) []portico.CDR {
	out := make([]portico.CDR, n)
	g := newGen(o)
	for i := range out {
		out[i] = g.next(i)
	}
	return out
}

// WriteCDRs writes n generated CDRs as CSV with the canonical header,
// without materialising them all (a million rows is fine).
func WriteCDRs(w io.Writer, n int, o CDROptions) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, billing.CDRHeader)
	g := newGen(o)
	for i := range n {
		c := g.next(i)
		var carrier string
		if c.CarrierID != 0 {
			carrier = strconv.FormatInt(c.CarrierID, 10)
		}
		fmt.Fprintf(bw, "%s,%s,%s,%s,%s,%d,%d,%s,%s,%s,%d,%s,%s,%d,%s,%s,%s\n",
			c.CallID, c.Switch, c.StartTime.Format(time.RFC3339), c.SourceNumber, c.DestinationNumber, c.Duration,
			c.BilledDuration, c.DestinationName, opt(c.Rate), opt(c.Charge), c.SIPCode, c.SIPReason, c.Direction,
			c.CustomerID, carrier, opt(c.CarrierRate), opt(c.CarrierCost))
	}
	return bw.Flush()
}

func opt(m *portico.Money) string {
	if m == nil {
		return ""
	}
	return m.String()
}

type gen struct {
	o   CDROptions
	rng *rand.Rand
	ids *rand.Rand // call ids, apart so that they do not shift the other fields
}

func newGen(o CDROptions) *gen {
	if o.Switch == "" {
		o.Switch = "sw1"
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	}
	return &gen{o: o, rng: rand.New(rand.NewPCG(o.Seed, 2)), ids: rand.New(rand.NewPCG(o.Seed, 3))}
}

// callID is a random UUID, as SIP stacks make them (the hard case for the
// unique index: inserts land all over it), or a time-ordered id.
func (g *gen) callID(i int) string {
	if g.o.TimeOrderedIDs {
		return fmt.Sprintf("%d.%d", g.o.Start.Unix()+int64(i), g.o.Seed)
	}
	a, b := g.ids.Uint64(), g.ids.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0xfff, b&0xffffffffffff)
}

func (g *gen) next(i int) portico.CDR {
	rng, o := g.rng, g.o
	c := portico.CDR{
		Switch:       o.Switch,
		CallID:       g.callID(i),
		StartTime:    o.Start.Add(time.Duration(i)*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond).Truncate(time.Second),
		SourceNumber: "4420" + strconv.Itoa(10_000_000+rng.IntN(89_999_999)),
		Direction:    portico.DirectionTermination,
		CustomerID:   o.Customers[rng.IntN(len(o.Customers))],
		SIPCode:      200, SIPReason: "OK",
	}
	if len(o.Carriers) > 0 {
		c.CarrierID = o.Carriers[rng.IntN(len(o.Carriers))]
	}
	dest := "0" // decks from Deck have no prefix starting with 0
	if len(o.Deck) > 0 && rng.IntN(100) >= o.Unmatched {
		dest = o.Deck[rng.IntN(len(o.Deck))].Prefix
	}
	for l := 11 + rng.IntN(3); len(dest) < l; {
		dest += strconv.Itoa(rng.IntN(10))
	}
	c.DestinationNumber = dest
	switch r := rng.IntN(100); {
	case r < 20:
		c.Duration, c.SIPCode, c.SIPReason = 0, 486, "Busy Here"
	case r < 90:
		c.Duration = 1 + rng.IntN(300)
	default:
		c.Duration = 1 + rng.IntN(3600)
	}
	if rng.IntN(100) < o.Priced {
		charge := portico.Money(rng.Int64N(2 * portico.MoneyScale))
		c.Charge, c.BilledDuration = &charge, c.Duration
		if c.CarrierID != 0 {
			cost := charge * 7 / 10
			c.CarrierCost = &cost
		}
	}
	return c
}
