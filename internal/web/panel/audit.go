package panel

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portico/internal/store"
)

type auditList struct {
	Entries  []store.AuditEntry
	Outcomes []option
	pager
}

// auditFilter reads the audit page's filters from the query. Junk in a
// field means no condition on it, never an error page.
func auditFilter(q url.Values) store.AuditFilter {
	f := store.AuditFilter{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")),
		IP: strings.TrimSpace(q.Get("ip"))}
	if len(f.Action) > 100 {
		f.Action = ""
	}
	if len(f.Actor) > 200 {
		f.Actor = ""
	}
	if n, err := strconv.ParseInt(q.Get("account"), 10, 64); err == nil && n > 0 {
		f.AccountID = n
	}
	switch o := q.Get("outcome"); o {
	case "ok", "denied", "failed", "throttled":
		f.Outcome = o
	}
	if t, err := time.Parse("2006-01-02", q.Get("since")); err == nil {
		f.Since = t
	}
	if t, err := time.Parse("2006-01-02", q.Get("until")); err == nil {
		f.Until = t.AddDate(0, 0, 1) // the whole day named
	}
	return f
}

// handleAudit shows the audit log, newest first, filtered by action (a
// prefix like "contact." or an exact action), actor, account, outcome,
// address and day range.
func (p *panel) handleAudit(w http.ResponseWriter, r *http.Request) error {
	f := auditFilter(r.URL.Query())
	f.Before, f.Limit = cursor(r, "before"), pageSize+1
	es, err := p.svc.DB.Read().FilterAuditEntries(r.Context(), f)
	if err != nil {
		return err
	}
	data := auditList{Outcomes: []option{{Value: "", Label: "Any outcome"}, {Value: "ok", Label: "ok"},
		{Value: "denied", Label: "denied"}, {Value: "throttled", Label: "throttled"}, {Value: "failed", Label: "failed"}}}
	data.Entries, data.pager = trimPage(r, es, "before", func(e store.AuditEntry) int64 { return e.ID })
	form := url.Values{}
	for _, k := range []string{"action", "actor", "account", "outcome", "ip", "since", "until"} {
		form.Set(k, r.URL.Query().Get(k))
	}
	return p.render(w, r, http.StatusOK, "audit", &view{Title: "Audit log", Nav: "audit", Form: form, Data: data})
}
