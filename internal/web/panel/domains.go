package panel

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/store"
)

// dnsLabels say what each DNS status means for the operator.
var dnsLabels = map[string]string{
	portico.DNSUnchecked:       "Not checked yet",
	portico.DNSVerified:        "Verified",
	portico.DNSMissing:         "No CNAME record found",
	portico.DNSWrongRecord:     "Wrong record: an A record instead of a CNAME",
	portico.DNSPointsElsewhere: "The CNAME points somewhere else",
}

// newDomainAccess is what a new brand shows its customers until the
// operator changes it: the money and traffic pages every customer needs.
var newDomainAccess = []portico.Section{portico.SectionBalance, portico.SectionCDR, portico.SectionRateCard, portico.SectionPayments}

type domainList struct {
	Domains []*portico.Domain
	pager
}

func (p *panel) handleDomainList(w http.ResponseWriter, r *http.Request) error {
	search := strings.TrimSpace(r.URL.Query().Get("q"))
	ds, err := p.svc.DB.Read().FindDomains(r.Context(), store.DomainFilter{Search: search, After: cursor(r, "after"), Limit: pageSize + 1})
	if err != nil {
		return err
	}
	data := domainList{}
	data.Domains, data.pager = trimPage(r, ds, "after", func(d *portico.Domain) int64 { return d.ID })
	return p.render(w, r, http.StatusOK, "domains", &view{Title: "Portal domains", Nav: "domains",
		Form: url.Values{"q": {search}}, Data: data})
}

// domainPage is the Data of the domain form.
type domainPage struct {
	Domain    *portico.Domain // nil when creating
	Action    string
	Sections  []option
	Templates []option // customers whose settings signups copy
	LogoURL   string
	DNSLabel  string
	TLS       *app.DomainTLSStatus // DNS record, checks and certificate; nil when creating
}

// showDomainForm renders the domain form with form's values; a non-nil
// failure re-renders it with the errors (or becomes an error page).
func (p *panel) showDomainForm(w http.ResponseWriter, r *http.Request, d *portico.Domain, form url.Values, failure error) error {
	data := domainPage{Domain: d, Action: "/domains", Templates: []option{{Value: "", Label: "None"}}}
	title := "New portal domain"
	if d != nil {
		title, data.Action = d.Domain, fmt.Sprintf("/domains/%d", d.ID)
		data.DNSLabel = dnsLabels[d.DNSStatus]
		data.TLS = p.svc.DomainTLSStatusOf(r.Context(), d)
		if d.HasLogo {
			data.LogoURL = fmt.Sprintf("/domains/%d/logo?v=%d", d.ID, d.UpdatedAt.UnixNano())
		}
	}
	for _, s := range portico.Sections {
		data.Sections = append(data.Sections, option{Value: string(s), Label: portico.SectionLabels[s]})
	}
	customers, err := p.svc.DB.Read().FindAccounts(r.Context(), portico.AccountFilter{Kind: portico.KindCustomer, Limit: 500})
	if err != nil {
		return err
	}
	for _, a := range customers {
		data.Templates = append(data.Templates, option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
	}
	v := &view{Title: title, Nav: "domains", Form: form, Data: data}
	if failure != nil {
		return p.formError(w, r, failure, "domain_form", v)
	}
	return p.render(w, r, http.StatusOK, "domain_form", v)
}

// domainValues fills the form from a saved domain. The SMTP password is
// write-only and never part of it.
func domainValues(d *portico.Domain) url.Values {
	f := url.Values{
		"domain":              {d.Domain},
		"brand_name":          {d.BrandName},
		"signup_credit_limit": {d.SignupCreditLimit.String()},
		"currencies":          {strings.Join(d.Currencies, ", ")},
		"template_account_id": {idString(d.TemplateAccountID)},
		"primary_color":       {d.PrimaryColor},
		"footer":              {d.Footer},
		"custom_css":          {d.CustomCSS},
		"smtp_host":           {d.SMTP.Host},
		"smtp_username":       {d.SMTP.Username},
		"smtp_from":           {d.SMTP.From},
	}
	if d.SMTP.Port != 0 {
		f.Set("smtp_port", strconv.Itoa(d.SMTP.Port))
	}
	setChecked(f, "customer_signup", d.CustomerSignup)
	setChecked(f, "carrier_signup", d.CarrierSignup)
	setChecked(f, "smtp_insecure", d.SMTP.Insecure)
	for _, s := range d.Access {
		f.Add("access", string(s))
	}
	return f
}

// maxDomainForm bounds a domain form: a logo plus up to 50,000 characters
// of custom CSS and the other fields.
const maxDomainForm = app.MaxLogoBytes + 1<<20

// readDomainForm reads the (multipart) domain form and its optional logo
// upload. Problems reading it come back as field errors together with the
// domain's own validation, so nothing is saved unless all of it is right.
func readDomainForm(w http.ResponseWriter, r *http.Request) (*portico.Domain, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxDomainForm)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, portico.Errorf(portico.EINVALID, "The form is too large: a logo may be at most %d KB.", app.MaxLogoBytes>>10)
		}
		return nil, nil, portico.Errorf(portico.EINVALID, "The form could not be read; please try again.")
	}
	f := r.PostForm
	fe := portico.FieldErrors{}
	d := &portico.Domain{
		Domain:            f.Get("domain"),
		BrandName:         f.Get("brand_name"),
		CustomerSignup:    checked(f, "customer_signup"),
		CarrierSignup:     checked(f, "carrier_signup"),
		SignupCreditLimit: money(fe, f, "signup_credit_limit", "Signup credit limit"),
		Currencies:        list(f.Get("currencies")),
		TemplateAccountID: optionalID(fe, f, "template_account_id", "Template account"),
		PrimaryColor:      f.Get("primary_color"),
		Footer:            f.Get("footer"),
		CustomCSS:         f.Get("custom_css"),
		SMTP: portico.SMTPSettings{
			Host:     f.Get("smtp_host"),
			Port:     integer(fe, f, "smtp_port", "SMTP port"),
			Username: f.Get("smtp_username"),
			Password: f.Get("smtp_password"),
			From:     f.Get("smtp_from"),
			Insecure: checked(f, "smtp_insecure"),
		},
	}
	for _, s := range f["access"] {
		d.Access = append(d.Access, portico.Section(s))
	}
	logo, err := readLogo(r)
	if err != nil {
		return nil, nil, err
	}
	if logo != nil {
		if _, err := app.CheckLogo(logo); err != nil {
			fe.Add("logo", portico.ErrorFields(err)["logo"])
		}
	}
	if len(fe) > 0 {
		return nil, nil, invalid(fe, d)
	}
	return d, logo, nil
}

// readLogo returns the uploaded logo, or nil when no file was chosen.
func readLogo(r *http.Request) ([]byte, error) {
	file, _, err := r.FormFile("logo")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	// One byte over the limit is enough for CheckLogo to refuse it.
	data, err := io.ReadAll(io.LimitReader(file, app.MaxLogoBytes+1))
	if len(data) == 0 {
		return nil, err // an empty file is no choice at all
	}
	return data, err
}

func (p *panel) handleDomainNew(w http.ResponseWriter, r *http.Request) error {
	f := url.Values{"currencies": {p.svc.DefaultCurrency}, "signup_credit_limit": {"0.00"}}
	for _, s := range newDomainAccess {
		f.Add("access", string(s))
	}
	return p.showDomainForm(w, r, nil, f, nil)
}

func (p *panel) handleDomainCreate(w http.ResponseWriter, r *http.Request) error {
	d, logo, err := readDomainForm(w, r)
	if err == nil {
		err = p.svc.CreateDomain(r.Context(), actor(r), d)
	}
	if err != nil {
		return p.showDomainForm(w, r, nil, r.PostForm, err)
	}
	if logo != nil {
		if err := p.svc.SetDomainLogo(r.Context(), actor(r), d.ID, logo); err != nil {
			return err
		}
	}
	return seeOther(w, r, fmt.Sprintf("/domains/%d", d.ID), "created")
}

func (p *panel) findDomain(r *http.Request) (*portico.Domain, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return p.svc.DB.Read().FindDomainByID(r.Context(), id)
}

func (p *panel) handleDomainView(w http.ResponseWriter, r *http.Request) error {
	d, err := p.findDomain(r)
	if err != nil {
		return err
	}
	return p.showDomainForm(w, r, d, domainValues(d), nil)
}

// handleDomainUpdate saves an edited domain. A blank SMTP password keeps
// the stored one (it is never shown, so the form cannot hold it); the
// "clear" box removes it.
func (p *panel) handleDomainUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := p.findDomain(r)
	if err != nil {
		return err
	}
	d, logo, err := readDomainForm(w, r)
	if err == nil {
		d.ID = old.ID
		switch {
		case checked(r.PostForm, "smtp_password_clear"):
			d.SMTP.Password = ""
		case d.SMTP.Password == "":
			d.SMTP.Password = app.SMTPPasswordKeep
		}
		err = p.svc.UpdateDomain(r.Context(), actor(r), d)
	}
	if err != nil {
		return p.showDomainForm(w, r, old, r.PostForm, err)
	}
	switch {
	case logo != nil:
		err = p.svc.SetDomainLogo(r.Context(), actor(r), d.ID, logo)
	case checked(r.PostForm, "logo_remove") && old.HasLogo:
		err = p.svc.SetDomainLogo(r.Context(), actor(r), d.ID, nil)
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/domains/%d", d.ID), "saved")
}

// handleDomainLogo serves a brand's logo for the form's preview.
func (p *panel) handleDomainLogo(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	data, ct, err := p.svc.DB.Read().DomainLogo(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	// The URL carries the domain's update time, so a new logo is a new URL.
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(data)
	return nil
}

func (p *panel) handleDomainDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	d, err := p.findDomain(r)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "confirm", domainDeleteView(d))
}

func domainDeleteView(d *portico.Domain) *view {
	return &view{Title: "Delete " + d.Domain, Nav: "domains", Data: confirmPage{
		Question: fmt.Sprintf("Delete the portal domain %s (%s)?", d.Domain, d.BrandName),
		Detail:   "Its customers' portal stops answering on this domain. A domain that accounts still use cannot be deleted.",
		Action:   fmt.Sprintf("/domains/%d/delete", d.ID), Button: "Delete domain", Cancel: fmt.Sprintf("/domains/%d", d.ID),
	}}
}

func (p *panel) handleDomainDelete(w http.ResponseWriter, r *http.Request) error {
	d, err := p.findDomain(r)
	if err != nil {
		return err
	}
	if err := p.svc.DeleteDomain(r.Context(), actor(r), d.ID); err != nil {
		return p.formError(w, r, err, "confirm", domainDeleteView(d))
	}
	return seeOther(w, r, "/domains", "deleted")
}

// confirmPage is the Data of the confirmation page shown before a delete.
type confirmPage struct {
	Question, Detail string
	Action, Button   string
	Cancel           string
}
