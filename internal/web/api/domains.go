package api

import (
	"io"
	"mime"
	"net/http"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// domainView is a portal domain in JSON, both ways: responses are built
// from it and request bodies are applied onto it.
type domainView struct {
	ID                int64             `json:"id" api:"readonly"`
	Domain            string            `json:"domain"`
	BrandName         string            `json:"brand_name"`
	CustomerSignup    bool              `json:"customer_signup"`
	CarrierSignup     bool              `json:"carrier_signup"`
	SignupCreditLimit portico.Money     `json:"signup_credit_limit"`
	Currencies        []string          `json:"currencies"`
	Access            []portico.Section `json:"access"`
	TemplateAccountID *int64            `json:"template_account_id"`
	PrimaryColor      string            `json:"primary_color"`
	Footer            string            `json:"footer"`
	CustomCSS         string            `json:"custom_css"`
	SMTPHost          string            `json:"smtp_host"`
	SMTPPort          int               `json:"smtp_port"`
	SMTPUsername      string            `json:"smtp_username"`
	// SMTPPassword is write-only: never set in a response (so omitted), and
	// nil in a request (absent or null) keeps the stored password.
	SMTPPassword *string `json:"smtp_password,omitempty"`
	SMTPFrom     string  `json:"smtp_from"`
	SMTPInsecure bool    `json:"smtp_insecure"`
	HasLogo      bool    `json:"has_logo" api:"readonly"`
	DNSStatus    string  `json:"dns_status" api:"readonly"`
	// DNSCheckedAt and DNSDetail say when DNS was last looked at and what
	// was found; DNSRecord is the record the domain's owner must create.
	DNSCheckedAt *timestamp     `json:"dns_checked_at" api:"readonly"`
	DNSDetail    string         `json:"dns_detail" api:"readonly"`
	DNSRecord    *dnsRecordView `json:"dns_record" api:"readonly"`
	// The certificate: status none, pending, issued or failed; source acme
	// or uploaded; the last ACME error, cleared by a success.
	CertificateStatus   string     `json:"certificate_status" api:"readonly"`
	CertificateSource   string     `json:"certificate_source" api:"readonly"`
	CertificateNotAfter *timestamp `json:"certificate_not_after" api:"readonly"`
	CertificateIssuer   string     `json:"certificate_issuer" api:"readonly"`
	CertificateError    string     `json:"certificate_error" api:"readonly"`
	CertificateErrorAt  *timestamp `json:"certificate_error_at" api:"readonly"`
	CreatedAt           timestamp  `json:"created_at" api:"readonly"`
	UpdatedAt           timestamp  `json:"updated_at" api:"readonly"`
}

// dnsRecordView is a DNS record to create.
type dnsRecordView struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

func newDomainView(d *portico.Domain) domainView {
	certStatus := d.TLS.Status
	if certStatus == "" { // a domain just created, not read back
		certStatus = portico.CertNone
	}
	return domainView{
		ID: d.ID, Domain: d.Domain, BrandName: d.BrandName,
		CustomerSignup: d.CustomerSignup, CarrierSignup: d.CarrierSignup, SignupCreditLimit: d.SignupCreditLimit,
		Currencies: orEmpty(d.Currencies), Access: orEmpty(d.Access), TemplateAccountID: d.TemplateAccountID,
		PrimaryColor: d.PrimaryColor, Footer: d.Footer, CustomCSS: d.CustomCSS,
		SMTPHost: d.SMTP.Host, SMTPPort: d.SMTP.Port, SMTPUsername: d.SMTP.Username,
		SMTPFrom: d.SMTP.From, SMTPInsecure: d.SMTP.Insecure,
		HasLogo: d.HasLogo, DNSStatus: d.DNSStatus,
		DNSCheckedAt: optionalTime(d.DNSCheckedAt), DNSDetail: d.DNSDetail,
		CertificateStatus: certStatus, CertificateSource: d.TLS.Source, CertificateNotAfter: optionalTime(d.TLS.NotAfter),
		CertificateIssuer: d.TLS.Issuer, CertificateError: d.TLS.LastError, CertificateErrorAt: optionalTime(d.TLS.LastErrorAt),
		CreatedAt: timestamp(d.CreatedAt), UpdatedAt: timestamp(d.UpdatedAt),
	}
}

// domainView is newDomainView plus what comes from configuration: the
// CNAME to create (null when --portal-host is not set).
func (a *api) domainView(d *portico.Domain) domainView {
	v := newDomainView(d)
	if a.svc.TLS.PortalHost != "" {
		v.DNSRecord = &dnsRecordView{Type: "CNAME", Name: d.Domain, Value: a.svc.TLS.PortalHost}
	}
	return v
}

// applyTo copies the writable fields onto d. The SMTP password changes only
// when the request named it.
func (v *domainView) applyTo(d *portico.Domain) {
	d.Domain, d.BrandName = v.Domain, v.BrandName
	d.CustomerSignup, d.CarrierSignup, d.SignupCreditLimit = v.CustomerSignup, v.CarrierSignup, v.SignupCreditLimit
	d.Currencies, d.Access, d.TemplateAccountID = v.Currencies, v.Access, v.TemplateAccountID
	d.PrimaryColor, d.Footer, d.CustomCSS = v.PrimaryColor, v.Footer, v.CustomCSS
	d.SMTP.Host, d.SMTP.Port, d.SMTP.Username = v.SMTPHost, v.SMTPPort, v.SMTPUsername
	d.SMTP.From, d.SMTP.Insecure = v.SMTPFrom, v.SMTPInsecure
	if v.SMTPPassword != nil {
		d.SMTP.Password = *v.SMTPPassword
	}
}

func (a *api) listDomains(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	p, err := a.svc.ListDomains(r.Context(), after, limit)
	if err != nil {
		return err
	}
	writeList(w, p, a.domainView)
	return nil
}

func (a *api) createDomain(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	var d portico.Domain
	v := newDomainView(&d)
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	v.applyTo(&d)
	if err := a.svc.CreateDomain(r.Context(), actor, &d); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, a.domainView(&d))
	return nil
}

func (a *api) getDomain(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	return a.writeDomain(w, r, id)
}

func (a *api) updateDomain(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	d, err := a.svc.FindDomain(r.Context(), id)
	if err != nil {
		return err
	}
	v := newDomainView(d)
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	d.SMTP.Password = app.SMTPPasswordKeep
	v.applyTo(d)
	if err := a.svc.UpdateDomain(r.Context(), actor, d); err != nil {
		return err
	}
	// Read back: the store resets dns_status when the host name changes.
	return a.writeDomain(w, r, id)
}

func (a *api) deleteDomain(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteDomain(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// logoTypes are the Content-Types a logo upload may declare; app checks the
// bytes themselves too.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true}

// putDomainLogo stores the raw request body as the brand's logo and answers
// with the domain, whose has_logo is then true.
func (a *api) putDomainLogo(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); !logoTypes[ct] {
		return portico.FieldError("logo", "Send the logo as the raw body with Content-Type image/png, image/jpeg or image/gif.")
	}
	// One byte over the limit is enough for app to refuse an oversized logo.
	data, err := io.ReadAll(io.LimitReader(r.Body, app.MaxLogoBytes+1))
	if err != nil {
		return portico.FieldError("logo", "Logo upload could not be read.")
	}
	if err := a.svc.SetDomainLogo(r.Context(), actor, id, data); err != nil {
		return err
	}
	return a.writeDomain(w, r, id)
}

func (a *api) deleteDomainLogo(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	if err := a.svc.SetDomainLogo(r.Context(), actor, id, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeDomain answers 200 with the domain as stored.
func (a *api) writeDomain(w http.ResponseWriter, r *http.Request, id int64) error {
	d, err := a.svc.FindDomain(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.domainView(d))
	return nil
}
