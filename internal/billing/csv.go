package billing

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"portico/internal/portico"
)

// header is a CSV file's first line resolved to the fields a reader knows:
// col[field] is the column index of that field, when the file has it.
type header struct {
	col map[string]int
}

func (h header) has(field string) bool { _, ok := h.col[field]; return ok }

// cell returns the trimmed value of field in rec, "" when the file has no
// such column.
func (h header) cell(rec []string, field string) string {
	i, ok := h.col[field]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// normalizeName folds a header cell for comparison: case, spaces, dashes
// and dots do not matter ("Connection Fee" = "connection_fee").
func normalizeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '/':
			return '_'
		}
		return r
	}, s)
}

// resolveHeader maps the header cells to fields. aliases lists, per field,
// the names it is recognised by (the field's own name first); mapping, from
// the user, names the header cell of a field explicitly and wins. Unknown
// columns are ignored, since decks carry extra columns (country, region…).
func resolveHeader(cells []string, aliases map[string][]string, mapping map[string]string, errs *portico.LineErrors) header {
	h := header{col: map[string]int{}}
	byName := map[string]int{}
	for i, c := range cells {
		n := normalizeName(c)
		if n == "" {
			continue
		}
		if _, dup := byName[n]; dup {
			errs.Add(1, "", fmt.Sprintf("Column %q appears twice.", c))
			continue
		}
		byName[n] = i
	}
	fields := make([]string, 0, len(aliases))
	for f := range aliases {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		if name, ok := mapping[f]; ok {
			i, found := byName[normalizeName(name)]
			if !found {
				errs.Add(1, f, fmt.Sprintf("The mapping names column %q for %s, but the header has no such column.", name, f))
				continue
			}
			h.col[f] = i
			continue
		}
		for _, a := range aliases[f] {
			if i, ok := byName[a]; ok {
				h.col[f] = i
				break
			}
		}
	}
	for f := range mapping {
		if _, ok := aliases[f]; !ok {
			errs.Add(1, "", fmt.Sprintf("The mapping names an unknown field %q; fields are %s.", f, strings.Join(fields, ", ")))
		}
	}
	// Two fields read from one column is a mapping mistake.
	seen := map[int]string{}
	for _, f := range fields {
		if i, ok := h.col[f]; ok {
			if other, dup := seen[i]; dup {
				errs.Add(1, f, fmt.Sprintf("Column %q is used for both %s and %s.", cells[i], other, f))
			}
			seen[i] = f
		}
	}
	return h
}

// ParseMapping parses "field=Header,field=Header" (as typed on a command
// line or in a query string) into a header mapping.
func ParseMapping(s string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, pair := range strings.Split(s, ",") {
		field, name, ok := strings.Cut(pair, "=")
		field, name = normalizeName(field), strings.TrimSpace(name)
		if !ok || field == "" || name == "" {
			return nil, fmt.Errorf("mapping %q is not field=Header", pair)
		}
		out[field] = name
	}
	return out, nil
}

// newCSVReader returns a CSV reader over r that accepts what spreadsheets
// write: a UTF-8 byte-order mark, and ; or tab as the delimiter when the
// header line has no comma.
func newCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	first, _ := br.Peek(4096) // short at the end of a small file
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	cr := csv.NewReader(br)
	if !bytes.ContainsRune(first, ',') {
		switch {
		case bytes.ContainsRune(first, ';'):
			cr.Comma = ';'
		case bytes.ContainsRune(first, '\t'):
			cr.Comma = '\t'
		}
	}
	cr.FieldsPerRecord = -1 // checked per line, for a clearer message
	cr.ReuseRecord = true
	return cr
}

// readRecord reads one record and turns a CSV syntax error into a line
// error; it returns io.EOF at the end and other read errors as they are.
func readRecord(cr *csv.Reader, errs *portico.LineErrors) (rec []string, line int, err error) {
	rec, err = cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			errs.Add(pe.StartLine, "", "Not valid CSV: "+pe.Err.Error()+".")
			return nil, pe.StartLine, nil
		}
		return nil, 0, err
	}
	line, _ = cr.FieldPos(0)
	return rec, line, nil
}
