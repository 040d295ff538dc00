package panel

import (
	"net/http"

	"portico/internal/store"
)

type auditList struct {
	Entries []store.AuditEntry
	pager
}

// handleAudit shows the audit log, newest first.
func (p *panel) handleAudit(w http.ResponseWriter, r *http.Request) error {
	es, err := p.svc.DB.Read().FindAuditEntries(r.Context(), cursor(r, "before"), pageSize+1)
	if err != nil {
		return err
	}
	var data auditList
	data.Entries, data.pager = trimPage(r, es, "before", func(e store.AuditEntry) int64 { return e.ID })
	return p.render(w, r, http.StatusOK, "audit", &view{Title: "Audit log", Nav: "audit", Data: data})
}
