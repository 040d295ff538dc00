package panel

import (
	"net/http"
	"strconv"
)

// pageSize is how many rows a list shows; lists fetch one more to learn
// whether a next page exists.
const pageSize = 50

// pager is the paging part of a list page.
type pager struct {
	Next  string // URL of the next page, "" on the last
	First string // URL of the first page, "" when on it
}

// trimPage cuts a list fetched with pageSize+1 rows to one page and returns
// the links to the next and first pages. Lists are keyset-paged: key names
// the query parameter holding the cursor (the id of the last row shown).
func trimPage[T any](r *http.Request, items []T, key string, id func(T) int64) ([]T, pager) {
	var pg pager
	q := r.URL.Query()
	q.Del("flash")
	if q.Get(key) != "" {
		q.Del(key)
		pg.First = r.URL.Path + "?" + q.Encode()
	}
	if len(items) > pageSize {
		items = items[:pageSize]
		q.Set(key, strconv.FormatInt(id(items[pageSize-1]), 10))
		pg.Next = r.URL.Path + "?" + q.Encode()
	}
	return items, pg
}

// cursor reads a keyset cursor from the query; junk means the first page.
func cursor(r *http.Request, key string) int64 {
	n, err := strconv.ParseInt(r.URL.Query().Get(key), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
