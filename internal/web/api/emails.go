package api

import (
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
)

// emailView is one entry of the email log. It has no body: a body could
// show what a secret-bearing message said, and the log is for delivery
// status (generated passwords are never stored in plain text anyway).
type emailView struct {
	ID        int64      `json:"id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Brand     string     `json:"brand"`
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt timestamp  `json:"created_at"`
	SentAt    *timestamp `json:"sent_at"`
}

func newEmailView(e *portico.Email) emailView {
	return emailView{
		ID: e.ID, To: e.To, Subject: e.Subject, Brand: e.Brand, Kind: e.Kind, Status: e.Status,
		Attempts: e.Attempts, LastError: e.LastError, CreatedAt: timestamp(e.CreatedAt), SentAt: optionalTime(e.SentAt),
	}
}

// listEmails serves the email log newest first; its cursor counts down, so
// ?after= here means "older than".
func (a *api) listEmails(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	before, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	p, err := a.svc.ListEmails(r.Context(), before, limit)
	if err != nil {
		return err
	}
	writeList(w, p, newEmailView)
	return nil
}
