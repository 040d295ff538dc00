package billing

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"

	"portico/internal/portico"
)

// Matcher finds the rate row for a number by longest prefix, among the rows
// in force at a given time. It is built once per card (all versions
// merged) and is then read-only, so any number of goroutines may use it.
//
// Versions and effective dates. Rows of every version are merged per
// prefix into a timeline ordered by effective date. A call at time t to a
// number uses the longest prefix that has a row in force at t, and for that
// prefix the row with the latest effective date not after t; when two
// versions carry the same prefix with the same effective date, the newer
// version wins (a reload corrects). So loading a new version with rows
// effective next week changes nothing for calls before next week, late CDRs
// of last month are still rated by last month's rows, and a prefix that a
// later version leaves out keeps its last rate.
//
// Structure. Each prefix is a key (its digits as an integer, and its
// length) in one open-addressing hash table. A lookup reads the number's
// digits once and then probes, longest first, only the prefix lengths the
// card has. The probes do not depend on each other, so the CPU overlaps
// their cache misses; a digit trie was measured too and was slower on large
// cards, because each of its steps waits for the previous one (see
// PERFORMANCE.md).
type Matcher struct {
	slots   []slot
	shift   uint   // hash: top bits of a multiplicative hash
	lengths uint32 // bit L set: the card has prefixes of L digits
	eff     []int64
	rows    []portico.Rate
	// starts[i] is the first of rows of the i-th prefix in prefix order,
	// and starts[prefixes] is len(rows): what listings page through.
	starts   []int32
	prefixes int
}

// slot is one prefix: rows[first:first+n], ascending by effective date.
// last is the effective time of the newest of them, kept here so that the
// usual lookup (the newest row is in force) touches one cache line less.
type slot struct {
	key      uint64 // digits<<5 | length; 0 = empty
	last     int64
	first, n int32
}

// NewMatcher builds a matcher from rate rows of any number of versions;
// each row's Version orders rows with equal prefix and effective date.
// Rows whose prefix is not 1 to 16 digits are ignored (imports refuse them).
func NewMatcher(rows []portico.Rate) *Matcher {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b portico.Rate) int {
		if c := strings.Compare(a.Prefix, b.Prefix); c != 0 {
			return c
		}
		if c := a.Effective.Compare(b.Effective); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Version, b.Version); c != 0 {
			return c
		}
		// One version cannot hold a prefix twice with one date (imports
		// refuse it); should it, the row stored last wins, every time.
		return cmp.Compare(a.ID, b.ID)
	})
	m := &Matcher{}
	type span struct {
		key         uint64
		first, last int
	}
	var spans []span
	// Destination names repeat (the many ranges of one country): one copy
	// of each keeps a cached card small, and a name search through the
	// card compares most names to the previous one by pointer.
	names := map[string]string{}
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].Prefix == sorted[i].Prefix {
			j++
		}
		if key, ok := prefixKey(sorted[i].Prefix); ok {
			first := len(m.rows)
			for k := i; k < j; k++ {
				// Of rows with one effective date, keep the newest version's.
				if k+1 < j && sorted[k+1].Effective.Equal(sorted[k].Effective) {
					continue
				}
				r := sorted[k]
				if name, ok := names[r.Name]; ok {
					r.Name = name
				} else {
					names[r.Name] = r.Name
				}
				m.rows = append(m.rows, r)
				m.eff = append(m.eff, sorted[k].Effective.Unix())
			}
			spans = append(spans, span{key, first, len(m.rows)})
			m.starts = append(m.starts, int32(first))
			m.lengths |= 1 << (key & 31)
		}
		i = j
	}
	m.prefixes = len(spans)
	m.starts = append(m.starts, int32(len(m.rows)))
	// At most half full, so a probe rarely goes past its first slot.
	size := 1 << bits.Len(uint(2*len(spans)))
	m.slots = make([]slot, size)
	m.shift = uint(64 - bits.Len(uint(size-1)))
	mask := uint64(size - 1)
	for _, s := range spans {
		h := m.hash(s.key)
		for m.slots[h].key != 0 {
			h = (h + 1) & mask
		}
		m.slots[h] = slot{key: s.key, last: m.eff[s.last-1], first: int32(s.first), n: int32(s.last - s.first)}
	}
	return m
}

// prefixKey packs a prefix of 1 to 16 digits into a non-zero key.
func prefixKey(p string) (uint64, bool) {
	if len(p) == 0 || len(p) > portico.MaxPrefixDigits {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		d := p[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	return v<<5 | uint64(len(p)), true
}

func (m *Matcher) hash(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> m.shift }

// Prefixes is the number of distinct prefixes.
func (m *Matcher) Prefixes() int { return m.prefixes }

// Lookup returns the row for number in force at time at (Unix seconds):
// the longest matching prefix with a row effective at or before at. A
// leading + is ignored and the number ends at its first non-digit. The row
// returned is shared: callers must not change it.
func (m *Matcher) Lookup(number string, at int64) (*portico.Rate, bool) {
	if len(m.slots) == 0 {
		return nil, false
	}
	i := 0
	if len(number) > 0 && number[0] == '+' {
		i = 1
	}
	// vals[L] is the number's first L digits as an integer.
	var vals [portico.MaxPrefixDigits + 1]uint64
	var v uint64
	n := 0
	for ; i < len(number) && n < portico.MaxPrefixDigits; i++ {
		d := number[i] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
		n++
		vals[n] = v
	}
	slots, mask := m.slots, uint64(len(m.slots)-1)
	lengths := m.lengths & (1<<(n+1) - 1)
	for lengths != 0 {
		l := bits.Len32(lengths) - 1
		lengths &^= 1 << l
		key := vals[l]<<5 | uint64(l)
		for h := (key * 0x9E3779B97F4A7C15) >> m.shift; ; h = (h + 1) & mask {
			s := &slots[h]
			if s.key == key {
				if s.last <= at {
					return &m.rows[s.first+s.n-1], true
				}
				for j := s.first + s.n - 2; j >= s.first; j-- {
					if m.eff[j] <= at {
						return &m.rows[j], true
					}
				}
				break // not in force yet: try a shorter prefix
			}
			if s.key == 0 {
				break
			}
		}
	}
	return nil, false
}
