package api

import (
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// contactView is a contact in JSON, both ways. It has no password field of
// any kind, so no response can carry a password or its hash.
type contactView struct {
	ID                 int64     `json:"id" api:"readonly"`
	AccountID          int64     `json:"account_id" api:"readonly"`
	Name               string    `json:"name"`
	Email              string    `json:"email"`
	Phone              string    `json:"phone"`
	Mobile             string    `json:"mobile"`
	ContactType        string    `json:"contact_type"`
	PublicNotes        string    `json:"public_notes"`
	PrivateNotes       string    `json:"private_notes"`
	EmailVerified      bool      `json:"email_verified"`
	MobileVerified     bool      `json:"mobile_verified"`
	IPAllowlist        []string  `json:"ip_allowlist"`
	TimeZone           string    `json:"time_zone"`
	Language           string    `json:"language"`
	Disabled           bool      `json:"disabled"`
	MustChangePassword bool      `json:"must_change_password" api:"readonly"`
	CreatedAt          timestamp `json:"created_at" api:"readonly"`
	UpdatedAt          timestamp `json:"updated_at" api:"readonly"`
}

func newContactView(c *portico.Contact) contactView {
	return contactView{
		ID: c.ID, AccountID: c.AccountID, Name: c.Name, Email: c.Email, Phone: c.Phone, Mobile: c.Mobile,
		ContactType: c.ContactType, PublicNotes: c.PublicNotes, PrivateNotes: c.PrivateNotes,
		EmailVerified: c.EmailVerified, MobileVerified: c.MobileVerified, IPAllowlist: orEmpty(c.IPAllowlist),
		TimeZone: c.TimeZone, Language: c.Language, Disabled: c.Disabled, MustChangePassword: c.MustChangePassword,
		CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt),
	}
}

// applyTo copies the writable fields onto c.
func (v *contactView) applyTo(c *portico.Contact) {
	c.Name, c.Email, c.Phone, c.Mobile, c.ContactType = v.Name, v.Email, v.Phone, v.Mobile, v.ContactType
	c.PublicNotes, c.PrivateNotes, c.EmailVerified, c.MobileVerified = v.PublicNotes, v.PrivateNotes, v.EmailVerified, v.MobileVerified
	c.IPAllowlist, c.TimeZone, c.Language, c.Disabled = v.IPAllowlist, v.TimeZone, v.Language, v.Disabled
}

// passwordView is how a request sets a contact's password: generated and
// emailed, or typed.
type passwordView struct {
	AutoGeneratePassword bool   `json:"auto_generate_password"`
	Password             string `json:"password"`
}

// choice returns the password choice, or a field error when the request
// asks for neither or both.
func (v passwordView) choice() (app.PasswordChoice, error) {
	switch {
	case v.AutoGeneratePassword && v.Password != "":
		return app.PasswordChoice{}, portico.FieldError("password", "Send either auto_generate_password: true or a password, not both.")
	case !v.AutoGeneratePassword && v.Password == "":
		return app.PasswordChoice{}, portico.FieldError("password", "A password is required unless auto_generate_password is true.")
	}
	return app.PasswordChoice{AutoGenerate: v.AutoGeneratePassword, Password: v.Password}, nil
}

// contactCreate is the body of a new contact: its details and its password.
type contactCreate struct {
	contactView
	passwordView
}

func (h accounts) listContacts(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, h.what())
	if err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	p, err := h.svc.ListContacts(r.Context(), h.kind, id, after, limit)
	if err != nil {
		return err
	}
	writeList(w, p, newContactView)
	return nil
}

// createContact adds a contact to the account in the path; with
// auto_generate_password the contact gets a welcome email with a generated
// password, which is never in the response.
func (h accounts) createContact(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, h.what())
	if err != nil {
		return err
	}
	if _, err := h.svc.FindAccount(r.Context(), h.kind, id); err != nil {
		return err
	}
	c := portico.Contact{AccountID: id}
	v := contactCreate{contactView: newContactView(&c)}
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	pw, err := v.choice()
	if err != nil {
		return err
	}
	v.applyTo(&c)
	if err := h.svc.CreateContact(r.Context(), actor, &c, pw); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, newContactView(&c))
	return nil
}

func (a *api) getContact(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, "Contact")
	if err != nil {
		return err
	}
	c, err := a.svc.FindContact(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newContactView(c))
	return nil
}

func (a *api) updateContact(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Contact")
	if err != nil {
		return err
	}
	c, err := a.svc.FindContact(r.Context(), id)
	if err != nil {
		return err
	}
	v := newContactView(c)
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	v.applyTo(c)
	if err := a.svc.UpdateContact(r.Context(), actor, c); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newContactView(c))
	return nil
}

func (a *api) deleteContact(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Contact")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteContact(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setContactPassword generates (and emails) or sets a contact's password.
func (a *api) setContactPassword(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Contact")
	if err != nil {
		return err
	}
	var v passwordView
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	pw, err := v.choice()
	if err != nil {
		return err
	}
	if err := a.svc.SetContactPassword(r.Context(), actor, id, pw); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
