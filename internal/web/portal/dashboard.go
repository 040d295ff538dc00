package portal

import (
	"net/http"

	"portico/internal/app"
	"portico/internal/web/httpx"
)

// dashboard shows the brand, the contact's public notes (never the
// private ones), the account and links to its sections.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, v *visit) error {
	h.render(w, r, http.StatusOK, "dashboard", h.page(v, "Dashboard", visibleSections(v.User)))
	return nil
}

var profileFields = []string{"name", "phone", "time_zone", "language"}

// profilePage carries whether the last save succeeded.
type profilePage struct{ Saved bool }

func (h *Handler) profileForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	c := v.User.Contact()
	f := &form{Values: map[string][]string{"name": {c.Name}, "phone": {c.Phone}, "time_zone": {c.TimeZone}, "language": {c.Language}}}
	p := h.page(v, "Profile", profilePage{Saved: r.URL.Query().Has("saved")}).withForm(f)
	h.render(w, r, http.StatusOK, "profile", p)
	return nil
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request, v *visit) error {
	in := app.ProfileInput{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"),
		TimeZone: r.PostFormValue("time_zone"), Language: r.PostFormValue("language")}
	if err := h.svc.UpdateProfile(r.Context(), v.User, in, httpx.ClientIP(r)); err != nil {
		return h.formError(w, r, h.page(v, "Profile", profilePage{}).withForm(formFrom(r, profileFields...)), "profile", err)
	}
	http.Redirect(w, r, "/profile?saved", http.StatusSeeOther)
	return nil
}
