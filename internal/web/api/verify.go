package api

import (
	"net/http"

	"portico/internal/app"
)

// verifyDomain checks the domain's DNS now and answers with the domain,
// whose dns_status, dns_checked_at and dns_detail show the outcome.
func (a *api) verifyDomain(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	if _, err := a.svc.VerifyDomain(r.Context(), actor, id); err != nil {
		return err
	}
	return a.writeDomain(w, r, id)
}

// certificateUpload is the body of PUT …/certificate: the chain and the
// key as PEM text. The key is write-only: no response ever holds it.
type certificateUpload struct {
	Certificate string `json:"certificate"`
	PrivateKey  string `json:"private_key"`
}

// putDomainCertificate stores the operator's own certificate for the
// domain and answers with the domain (certificate_source "uploaded").
func (a *api) putDomainCertificate(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	var body certificateUpload
	if err := readInto(w, r, &body); err != nil {
		return err
	}
	if err := a.svc.UploadCertificate(r.Context(), actor, id, body.Certificate, body.PrivateKey); err != nil {
		return err
	}
	return a.writeDomain(w, r, id)
}

// deleteDomainCertificate removes an uploaded certificate; ACME takes over
// when the domain is verified.
func (a *api) deleteDomainCertificate(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Domain")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteUploadedCertificate(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
