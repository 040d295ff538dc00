package panel

import (
	"net/http"

	"portico/internal/portico"
)

type emailList struct {
	Emails []*portico.Email
	pager
}

// handleEmails shows the outbox, newest first. Only envelope facts are
// shown: bodies may hold links and (until sent) a password's placeholder,
// and the log is readable by every role.
func (p *panel) handleEmails(w http.ResponseWriter, r *http.Request) error {
	es, err := p.svc.DB.Read().FindEmails(r.Context(), portico.EmailFilter{Before: cursor(r, "before"), Limit: pageSize + 1})
	if err != nil {
		return err
	}
	var data emailList
	data.Emails, data.pager = trimPage(r, es, "before", func(e *portico.Email) int64 { return e.ID })
	return p.render(w, r, http.StatusOK, "emails", &view{Title: "Email log", Nav: "emails", Data: data})
}
