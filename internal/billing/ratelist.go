package billing

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"portico/internal/portico"
)

// RateQuery selects rows of a card for a listing: the portal's Rate Card
// section and its downloads.
type RateQuery struct {
	// At is the instant listed: InForce gives the rows in force at it,
	// Upcoming those that take effect after it. Effective dates are UTC
	// days, so every instant of a day gives that day's rows.
	At time.Time
	// Search keeps rows whose prefix starts with it when it is digits (a
	// leading + is ignored), else rows whose destination name contains it
	// in any case. Blank keeps every row.
	Search string
	// After continues an InForce listing after this prefix.
	After string
	// Limit caps the rows returned; 0: no cap.
	Limit int
}

// InForce lists, in prefix order, each prefix's row in force at q.At (the
// row Rate uses for that prefix: the latest effective date not after q.At;
// of equal dates, the newest version). Prefixes with no row in force yet
// are left out. A prefix search keeps whole prefixes; a name search must
// match the row in force, not an older or a coming one.
func (c *Card) InForce(q RateQuery) []portico.Rate {
	m, f, at := c.m, newRateSearch(q.Search), q.At.Unix()
	from, to := m.listed(f.prefix, q.After)
	size := to - from // at most; a name search usually keeps far fewer
	if f.name != nil {
		size = 0
	}
	if q.Limit > 0 {
		size = min(size, q.Limit)
	}
	out := make([]portico.Rate, 0, size)
	for i := from; i < to; i++ {
		first, k := int(m.starts[i]), int(m.starts[i+1])-1
		for k >= first && m.eff[k] > at {
			k--
		}
		if k >= first && f.keeps(m.rows[k].Name) {
			out = append(out, m.rows[k])
			if len(out) == q.Limit {
				break
			}
		}
	}
	return out
}

// Upcoming lists the rows that take effect after q.At, by effective date
// then prefix (of one prefix and date, the newest version's row). The
// search applies to each row; q.After is not used.
func (c *Card) Upcoming(q RateQuery) []portico.Rate {
	m, f, at := c.m, newRateSearch(q.Search), q.At.Unix()
	// Gathered in prefix order, so a stable sort by date alone gives date
	// then prefix.
	var rows []int32
	from, to := m.listed(f.prefix, "")
	for i := from; i < to; i++ {
		first, end := int(m.starts[i]), int(m.starts[i+1])
		k := end
		for k > first && m.eff[k-1] > at {
			k--
		}
		for ; k < end; k++ {
			if f.keeps(m.rows[k].Name) {
				rows = append(rows, int32(k))
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b int32) int { return cmp.Compare(m.eff[a], m.eff[b]) })
	if q.Limit > 0 && len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	out := make([]portico.Rate, len(rows))
	for i, k := range rows {
		out[i] = m.rows[k]
	}
	return out
}

// listed returns the positions, in prefix order, of the prefixes that
// start with prefix and come after after: [from, to). The loops over them
// then read only starts and eff, not the rows.
func (m *Matcher) listed(prefix, after string) (from, to int) {
	starts := m.starts[:m.prefixes]
	search := func(p string) (int, bool) {
		return slices.BinarySearchFunc(starts, p, func(s int32, p string) int { return strings.Compare(m.rows[s].Prefix, p) })
	}
	from, _ = search(prefix)
	// The prefixes starting with prefix come first from there, then none.
	to = from + sort.Search(m.prefixes-from, func(i int) bool {
		return !strings.HasPrefix(m.rows[starts[from+i]].Prefix, prefix)
	})
	if i, found := search(after); found {
		from = max(from, i+1)
	} else {
		from = max(from, i)
	}
	return from, max(from, to)
}

// rateSearch is a RateQuery's Search, parsed once.
type rateSearch struct {
	prefix string // digits the prefix starts with ("" keeps all)
	name   []byte // lower-cased part of the name (nil keeps all)
	// The last name tested and the answer: neighbouring prefixes mostly
	// share their name, one string (NewMatcher keeps one copy of each).
	last string
	kept bool
}

func newRateSearch(s string) rateSearch {
	s = strings.TrimSpace(s)
	if digits := strings.TrimPrefix(s, "+"); strings.Trim(digits, "0123456789") == "" {
		return rateSearch{prefix: digits}
	}
	return rateSearch{name: []byte(strings.ToLower(s))}
}

// keeps reports whether a destination name, lower-cased, contains the
// search's name.
func (f *rateSearch) keeps(name string) bool {
	if f.name == nil {
		return true
	}
	if name != f.last { // the zero memo is right: "" contains no search
		f.last, f.kept = name, f.contains(name)
	}
	return f.kept
}

// contains is keeps without the memo. Names are nearly always ASCII,
// and for them case is folded in place: a name search through a whole
// card allocates nothing.
func (f *rateSearch) contains(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(name), string(f.name))
		}
	}
	for i := 0; i+len(f.name) <= len(name); i++ {
		j := 0
		for j < len(f.name) && lowerASCII(name[i+j]) == f.name[j] {
			j++
		}
		if j == len(f.name) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
