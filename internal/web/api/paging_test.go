package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/store/storetest"
)

// walk follows next_cursor from path with limit and returns the ids of each
// page; it stops at the first page whose next_cursor is null.
func (e *env) walk(path string, limit int) [][]int64 {
	e.t.Helper()
	var pages [][]int64
	cursor := ""
	for range 20 {
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("after", cursor)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		m := e.must(200, "GET", path+sep+q.Encode(), nil)
		pages = append(pages, ids(e.t, m))
		next, present := m["next_cursor"]
		if !present {
			e.t.Fatalf("no next_cursor key in %v", m)
		}
		if next == nil {
			return pages
		}
		cursor = next.(string)
	}
	e.t.Fatalf("%s: next_cursor never became null", path)
	return nil
}

func TestPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dom := id(t, e.must(201, "POST", "/api/v1/domains", domainBody("portal.acme.example")))
		cust := id(t, e.must(201, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "domain_id": dom}))
		var contacts, emails []int64
		for i := range 5 {
			c := e.must(201, "POST", pathf("/api/v1/customers/%d/contacts", cust),
				map[string]any{"name": "C", "email": fmt.Sprintf("c%d@globex.example", i), "auto_generate_password": true})
			contacts = append(contacts, id(t, c))
		}
		for _, m := range items(t, e.must(200, "GET", "/api/v1/emails", nil)) {
			emails = append(emails, id(t, m))
		}
		if len(emails) != 5 || !slices.IsSortedFunc(emails, func(a, b int64) int { return int(b - a) }) {
			t.Fatalf("email log = %v, want 5 ids newest first", emails)
		}

		contactPath := pathf("/api/v1/customers/%d/contacts", cust)
		cases := []struct {
			path  string
			limit int
			want  [][]int64
		}{
			{contactPath, 2, [][]int64{contacts[0:2], contacts[2:4], contacts[4:5]}},
			// An exact multiple ends with null on the last full page, not an empty page.
			{contactPath, 5, [][]int64{contacts}},
			{contactPath, 500, [][]int64{contacts}},
			{"/api/v1/emails", 2, [][]int64{emails[0:2], emails[2:4], emails[4:5]}},
			{"/api/v1/emails", 1, [][]int64{{emails[0]}, {emails[1]}, {emails[2]}, {emails[3]}, {emails[4]}}},
		}
		for _, c := range cases {
			if got := e.walk(c.path, c.limit); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s limit %d: pages %v, want %v", c.path, c.limit, got, c.want)
			}
		}

		// Filters hold across pages, and the default page is 50.
		for i := range 52 {
			status := "active"
			if i%2 == 0 {
				status = "pending_approval"
			}
			e.must(201, "POST", "/api/v1/customers", map[string]any{"name": fmt.Sprintf("Bulk %02d", i), "status": status})
		}
		pages := e.walk("/api/v1/customers?status=pending_approval&q=bulk", 10)
		if n := len(slices.Concat(pages...)); len(pages) != 3 || n != 26 {
			t.Errorf("pending bulk customers in pages of 10: %v", pages)
		}
		first := e.must(200, "GET", "/api/v1/customers", nil)
		if got := items(t, first); len(got) != 50 || first["next_cursor"] == nil {
			t.Errorf("default page: %d items, next_cursor %v; want 50 and a cursor", len(got), first["next_cursor"])
		}
		rest := e.must(200, "GET", "/api/v1/customers?after="+first["next_cursor"].(string), nil)
		if got := items(t, rest); len(got) != 3 || rest["next_cursor"] != nil {
			t.Errorf("second default page: %d items, next_cursor %v; want 3 and null", len(got), rest["next_cursor"])
		}
	})
}
