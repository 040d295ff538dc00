package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"portico/internal/app"
	"portico/internal/portico"
)

// timeZones are suggested in the time zone field; any IANA name is accepted.
var timeZones = []string{
	"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Istanbul", "Africa/Lagos",
	"Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Tokyo",
	"Australia/Sydney", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Mexico_City", "America/Bogota", "America/Sao_Paulo",
}

// contactPage is the Data of the contact form.
type contactPage struct {
	kindInfo
	Account   *portico.Account
	Contact   *portico.Contact // nil when creating
	Action    string
	Types     []option
	TimeZones []string
}

func (p *panel) showContactForm(w http.ResponseWriter, r *http.Request, acc *portico.Account, c *portico.Contact, form url.Values, failure error) error {
	k := kindOf(acc.Kind)
	data := contactPage{kindInfo: k, Account: acc, Contact: c, TimeZones: timeZones,
		Action: fmt.Sprintf("%s/%d/contacts", k.Path, acc.ID), Types: []option{{Value: "", Label: "Not set"}}}
	title := "Add contact to " + acc.Name
	if c != nil {
		title, data.Action = c.Name, fmt.Sprintf("/contacts/%d", c.ID)
	}
	for _, t := range portico.ContactTypes {
		data.Types = append(data.Types, option{Value: t, Label: t})
	}
	v := &view{Title: title, Nav: k.Nav(), Form: form, Data: data}
	if failure != nil {
		return p.formError(w, r, failure, "contact_form", v)
	}
	return p.render(w, r, http.StatusOK, "contact_form", v)
}

// contactValues fills the form from a saved contact.
func contactValues(c *portico.Contact) url.Values {
	f := url.Values{
		"name":          {c.Name},
		"email":         {c.Email},
		"phone":         {c.Phone},
		"mobile":        {c.Mobile},
		"contact_type":  {c.ContactType},
		"public_notes":  {c.PublicNotes},
		"private_notes": {c.PrivateNotes},
		"ip_allowlist":  {strings.Join(c.IPAllowlist, "\n")},
		"time_zone":     {c.TimeZone},
		"language":      {c.Language},
	}
	setChecked(f, "disabled", c.Disabled)
	setChecked(f, "email_verified", c.EmailVerified)
	setChecked(f, "mobile_verified", c.MobileVerified)
	return f
}

func readContactForm(f url.Values) *portico.Contact {
	return &portico.Contact{
		Name:           f.Get("name"),
		Email:          f.Get("email"),
		Phone:          f.Get("phone"),
		Mobile:         f.Get("mobile"),
		ContactType:    f.Get("contact_type"),
		PublicNotes:    f.Get("public_notes"),
		PrivateNotes:   f.Get("private_notes"),
		IPAllowlist:    strings.Split(f.Get("ip_allowlist"), "\n"),
		TimeZone:       f.Get("time_zone"),
		Language:       f.Get("language"),
		Disabled:       checked(f, "disabled"),
		EmailVerified:  checked(f, "email_verified"),
		MobileVerified: checked(f, "mobile_verified"),
	}
}

// passwordChoice reads the "Auto generate password" box and the typed
// password of the contact and change-password forms.
func passwordChoice(f url.Values) app.PasswordChoice {
	return app.PasswordChoice{AutoGenerate: checked(f, "auto_generate_password"), Password: f.Get("password")}
}

func (a accountPages) handleContactNew(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.find(r)
	if err != nil {
		return err
	}
	f := url.Values{"auto_generate_password": {"1"}, "time_zone": {"UTC"}, "language": {"en"}}
	return a.showContactForm(w, r, acc, nil, f, nil)
}

// handleContactCreate adds a contact (seed step 4). With "Auto generate
// password" app generates one and queues the welcome email; the password
// itself never comes back here.
func (a accountPages) handleContactCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.find(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	c := readContactForm(r.PostForm)
	c.AccountID = acc.ID
	pw := passwordChoice(r.PostForm)
	if err := a.svc.CreateContact(r.Context(), actor(r), c, pw); err != nil {
		return a.showContactForm(w, r, acc, nil, r.PostForm, err)
	}
	flash := "contact_created"
	if pw.AutoGenerate {
		flash = "contact_emailed"
	}
	return seeOther(w, r, fmt.Sprintf("%s/%d", a.Path, acc.ID), flash)
}

// findContact returns the contact named by the route and its account.
func (p *panel) findContact(r *http.Request) (*portico.Contact, *portico.Account, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	read := p.svc.DB.Read()
	c, err := read.FindContactByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	acc, err := read.FindAccountByID(r.Context(), c.AccountID)
	return c, acc, err
}

func (p *panel) handleContactView(w http.ResponseWriter, r *http.Request) error {
	c, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	return p.showContactForm(w, r, acc, c, contactValues(c), nil)
}

func (p *panel) handleContactUpdate(w http.ResponseWriter, r *http.Request) error {
	old, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	c := readContactForm(r.PostForm)
	c.ID, c.AccountID = old.ID, old.AccountID
	if err := p.svc.UpdateContact(r.Context(), actor(r), c); err != nil {
		return p.showContactForm(w, r, acc, old, r.PostForm, err)
	}
	return seeOther(w, r, fmt.Sprintf("/contacts/%d", c.ID), "saved")
}

// passwordPage is the Data of the change-password form.
type passwordPage struct {
	kindInfo
	Account *portico.Account
	Contact *portico.Contact
}

func (p *panel) showPasswordForm(w http.ResponseWriter, r *http.Request, c *portico.Contact, acc *portico.Account, form url.Values, failure error) error {
	k := kindOf(acc.Kind)
	v := &view{Title: "Change password of " + c.Name, Nav: k.Nav(), Form: form,
		Data: passwordPage{kindInfo: k, Account: acc, Contact: c}}
	if failure != nil {
		return p.formError(w, r, failure, "contact_password", v)
	}
	return p.render(w, r, http.StatusOK, "contact_password", v)
}

func (p *panel) handleContactPasswordForm(w http.ResponseWriter, r *http.Request) error {
	c, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	return p.showPasswordForm(w, r, c, acc, url.Values{"auto_generate_password": {"1"}}, nil)
}

func (p *panel) handleContactPassword(w http.ResponseWriter, r *http.Request) error {
	c, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	pw := passwordChoice(r.PostForm)
	if err := p.svc.SetContactPassword(r.Context(), actor(r), c.ID, pw); err != nil {
		return p.showPasswordForm(w, r, c, acc, r.PostForm, err)
	}
	flash := "password_set"
	if pw.AutoGenerate {
		flash = "password_emailed"
	}
	return seeOther(w, r, fmt.Sprintf("/contacts/%d", c.ID), flash)
}

func (p *panel) handleContactDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	c, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "confirm", &view{Title: "Delete " + c.Name, Nav: kindOf(acc.Kind).Nav(), Data: confirmPage{
		Question: fmt.Sprintf("Delete the contact %s (%s) of %s?", c.Name, c.Email, acc.Name),
		Detail:   "They can no longer log into the portal, and any session they have ends.",
		Action:   fmt.Sprintf("/contacts/%d/delete", c.ID), Button: "Delete contact", Cancel: fmt.Sprintf("/contacts/%d", c.ID),
	}})
}

func (p *panel) handleContactDelete(w http.ResponseWriter, r *http.Request) error {
	c, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	if err := p.svc.DeleteContact(r.Context(), actor(r), c.ID); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("%s/%d", kindOf(acc.Kind).Path, acc.ID), "deleted")
}
