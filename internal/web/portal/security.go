package portal

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/web/httpx"
)

// securityView is the data of the security page.
type securityView struct {
	MFA       app.MFAStatus
	Required  bool
	Enrolment *app.Enrolment
	Codes     []string // recovery codes, shown once
	Forced    bool     // two-factor is required and not set up yet
}

func (h *Handler) showSecurity(w http.ResponseWriter, r *http.Request, v *visit, data securityView, failure error) error {
	ctx := r.Context()
	var err error
	if data.MFA, err = h.svc.ContactMFA(ctx, v.User); err != nil {
		return err
	}
	if data.Required, err = h.svc.MFARequired(ctx, v.User); err != nil {
		return err
	}
	if data.Enrolment == nil && !data.MFA.Enabled && v.User.Support() == nil {
		if data.Enrolment, err = h.svc.PendingContactTOTP(ctx, v.User); err != nil {
			return err
		}
	}
	data.Forced = data.Required && !data.MFA.Enabled
	p := h.page(v, "Security", data).withForm(&form{})
	if failure != nil {
		switch portico.ErrorCode(failure) {
		case portico.ECONFLICT, portico.EFORBIDDEN:
			p.Form.Error = portico.ErrorMessage(failure)
			h.render(w, r, httpx.Status(portico.ErrorCode(failure)), "security", p)
			return nil
		}
		return h.formError(w, r, p, "security", failure)
	}
	h.render(w, r, http.StatusOK, "security", p)
	return nil
}

func (h *Handler) securityPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return h.showSecurity(w, r, v, securityView{}, nil)
}

func (h *Handler) totpBegin(w http.ResponseWriter, r *http.Request, v *visit) error {
	e, err := h.svc.BeginContactTOTP(r.Context(), v.User)
	if err != nil {
		return h.showSecurity(w, r, v, securityView{}, err)
	}
	return h.showSecurity(w, r, v, securityView{Enrolment: e}, nil)
}

func (h *Handler) totpConfirm(w http.ResponseWriter, r *http.Request, v *visit) error {
	codes, err := h.svc.ConfirmContactTOTP(r.Context(), v.User, r.PostFormValue("code"))
	if err != nil {
		return h.showSecurity(w, r, v, securityView{}, err)
	}
	// Read the session again: two-factor is on now, so nothing is forced.
	u, err := h.svc.PortalSession(r.Context(), v.Brand, sessionToken(r), httpx.ClientIP(r))
	if err != nil {
		return err
	}
	v.User = u
	return h.showSecurity(w, r, v, securityView{Codes: codes}, nil)
}

func (h *Handler) totpDisable(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := h.svc.DisableContactTOTP(r.Context(), v.User, r.PostFormValue("current_password")); err != nil {
		return h.showSecurity(w, r, v, securityView{}, err)
	}
	http.Redirect(w, r, "/security", http.StatusSeeOther)
	return nil
}

func (h *Handler) recoveryCodes(w http.ResponseWriter, r *http.Request, v *visit) error {
	codes, err := h.svc.NewContactRecoveryCodes(r.Context(), v.User, r.PostFormValue("current_password"))
	if err != nil {
		return h.showSecurity(w, r, v, securityView{}, err)
	}
	return h.showSecurity(w, r, v, securityView{Codes: codes}, nil)
}

// sessionsView is the data of the sessions page.
type sessionsView struct {
	Sessions []app.SessionView
	Zone     *time.Location
}

// sessions lists the contact's own sessions, this one marked, each with a
// button to end it.
func (h *Handler) sessions(w http.ResponseWriter, r *http.Request, v *visit) error {
	list, err := h.svc.ContactSessions(r.Context(), v.User)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "sessions", h.page(v, "Sessions", sessionsView{Sessions: list, Zone: zoneOf(v.User)}))
	return nil
}

// sessionEnd ends one of the contact's sessions. An id that is not one of
// them is 404, whoever's it is.
func (h *Handler) sessionEnd(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := strconv.ParseInt(r.PathValue("session"), 10, 64)
	if err != nil || id <= 0 {
		return portico.Errorf(portico.ENOTFOUND, "Page not found.")
	}
	if err := h.svc.EndContactSession(r.Context(), v.User, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
	return nil
}

func (h *Handler) sessionsEndOthers(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := h.svc.EndOtherContactSessions(r.Context(), v.User); err != nil {
		return err
	}
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
	return nil
}

// activityView is the data of the activity page.
type activityView struct {
	Entries []activityEntry
	Next    string
	First   string
}

// activityEntry is one audit entry as a contact sees it: the operator's
// staff are "Support staff", never named.
type activityEntry struct {
	At      time.Time
	Who     string
	Action  string
	IP      string
	Outcome string
	Detail  string
}

// who says who acted, in the portal's words.
func who(actor string) string {
	switch {
	case strings.HasPrefix(actor, "user:") && strings.Contains(actor, " as contact:"):
		_, as, _ := strings.Cut(actor, " as contact:")
		return "Support staff, as " + afterID(as)
	case strings.HasPrefix(actor, "user:"):
		return "Support staff"
	case strings.HasPrefix(actor, "contact:"):
		return afterID(strings.TrimPrefix(actor, "contact:"))
	}
	return actor
}

// afterID drops the "9 " of "9 ann@example.com" (and the "? " of an
// unknown login).
func afterID(s string) string {
	_, rest, ok := strings.Cut(s, " ")
	if !ok {
		return s
	}
	return rest
}

// activity lists the audit entries about the contact's account: logins,
// password and two-factor changes, support sessions, changes the
// operator made. A cursor that is not one of the account's entries is 404.
func (h *Handler) activity(w http.ResponseWriter, r *http.Request, v *visit) error {
	var before int64
	if s := r.URL.Query().Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return portico.Errorf(portico.ENOTFOUND, "Page not found.")
		}
		before = n
	}
	pg, err := h.svc.AccountActivity(r.Context(), v.User, before, 50)
	if err != nil {
		return err
	}
	data := activityView{}
	for _, e := range pg.Items {
		data.Entries = append(data.Entries, activityEntry{At: e.At.In(zoneOf(v.User)), Who: who(e.Actor),
			Action: e.Action, IP: e.IP, Outcome: e.Outcome, Detail: portalDetail(e)})
	}
	if pg.Next != 0 {
		data.Next = "/activity?before=" + strconv.FormatInt(pg.Next, 10)
	}
	if before != 0 {
		data.First = "/activity"
	}
	h.render(w, r, http.StatusOK, "activity", h.page(v, "Activity", data))
	return nil
}

// portalDetail hides details written for the operator (about staff) and
// keeps those about the account's own logins.
func portalDetail(e store.AuditEntry) string {
	if strings.HasPrefix(e.Actor, "user:") && !strings.Contains(e.Actor, " as ") {
		return ""
	}
	return e.Detail
}

// zoneOf is the contact's time zone, UTC when it does not load.
func zoneOf(u *app.PortalUser) *time.Location {
	if loc, err := time.LoadLocation(u.Contact().TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// supportForm shows the button that starts an operator's support session.
// Only the POST uses the link.
func (h *Handler) supportForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.URL.Query().Get("token")
	link, err := h.svc.CheckSupportLink(r.Context(), v.Brand, token)
	if err != nil {
		return h.badLink(w, r, v, err, "/login", "Go to log in")
	}
	p := h.page(v, "Start a support session", link).withForm(&form{Action: "/support-session?token=" + token})
	h.render(w, r, http.StatusOK, "support", p)
	return nil
}

func (h *Handler) support(w http.ResponseWriter, r *http.Request, v *visit) error {
	token, err := h.svc.BeginSupportSession(r.Context(), v.Brand, r.FormValue("token"), httpx.ClientIP(r))
	if err != nil {
		return h.badLink(w, r, v, err, "/login", "Go to log in")
	}
	setSession(w, r, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
