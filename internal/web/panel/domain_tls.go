package panel

import (
	"fmt"
	"net/http"
)

// handleDomainVerify runs a DNS check now (the "Check DNS now" button).
func (p *panel) handleDomainVerify(w http.ResponseWriter, r *http.Request) error {
	d, err := p.findDomain(r)
	if err != nil {
		return err
	}
	if _, err := p.svc.VerifyDomain(r.Context(), actor(r), d.ID); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/domains/%d", d.ID), "dns_checked")
}

// handleCertificateUpload stores an operator's own certificate and key for
// a domain after checking that they match and cover it.
func (p *panel) handleCertificateUpload(w http.ResponseWriter, r *http.Request) error {
	d, err := p.findDomain(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := p.svc.UploadCertificate(r.Context(), actor(r), d.ID, r.PostForm.Get("certificate"), r.PostForm.Get("private_key")); err != nil {
		form := domainValues(d)
		form.Set("certificate", r.PostForm.Get("certificate")) // the key is not echoed back
		return p.showDomainForm(w, r, d, form, err)
	}
	return seeOther(w, r, fmt.Sprintf("/domains/%d", d.ID), "cert_uploaded")
}

// handleCertificateDelete removes an uploaded certificate.
func (p *panel) handleCertificateDelete(w http.ResponseWriter, r *http.Request) error {
	d, err := p.findDomain(r)
	if err != nil {
		return err
	}
	if err := p.svc.DeleteUploadedCertificate(r.Context(), actor(r), d.ID); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/domains/%d", d.ID), "cert_removed")
}
