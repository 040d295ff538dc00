package certs

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"portico/internal/portico"
)

// Upload is an operator's certificate, checked.
type Upload struct {
	CertPEM  string // the chain as PEM, leaf first, re-encoded (no stray text)
	KeyPEM   string
	NotAfter time.Time
	Issuer   string
}

// maxUploadPEM bounds each uploaded PEM text.
const maxUploadPEM = 64 << 10

// CheckUpload validates an uploaded certificate chain and private key for
// domain at time now: the chain parses and each certificate is signed by
// the next, the key matches the leaf, the leaf covers the domain and is
// valid now. Problems come back as field errors on "certificate" and
// "private_key".
func CheckUpload(domain, certPEM, keyPEM string, now time.Time) (*Upload, error) {
	f := portico.FieldErrors{}
	switch {
	case strings.TrimSpace(certPEM) == "":
		f.Add("certificate", "Certificate is required: paste the PEM chain, the domain's certificate first.")
	case len(certPEM) > maxUploadPEM:
		f.Add("certificate", "Certificate chain must be at most 64 KB.")
	}
	switch {
	case strings.TrimSpace(keyPEM) == "":
		f.Add("private_key", "Private key is required (PEM).")
	case len(keyPEM) > maxUploadPEM:
		f.Add("private_key", "Private key must be at most 64 KB.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var chain []*x509.Certificate
	var out strings.Builder
	rest := []byte(certPEM)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, portico.FieldError("certificate", fmt.Sprintf("The certificate field holds a %q block; put only CERTIFICATE blocks there (the key goes in private_key).", b.Type))
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, portico.FieldError("certificate", fmt.Sprintf("Certificate %d of the chain does not parse: %v.", len(chain)+1, err))
		}
		chain = append(chain, c)
		pem.Encode(&out, b)
	}
	if len(chain) == 0 {
		return nil, portico.FieldError("certificate", "No PEM certificate found; it starts with -----BEGIN CERTIFICATE-----.")
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return nil, portico.FieldError("certificate", fmt.Sprintf(
				"Certificate %d (%s) is not signed by certificate %d (%s): put the chain in order, the domain's certificate first, then each issuer.",
				i+1, chain[i].Subject.CommonName, i+2, chain[i+1].Subject.CommonName))
		}
	}
	leaf := chain[0]
	if _, err := tls.X509KeyPair([]byte(out.String()), []byte(keyPEM)); err != nil {
		msg := "The private key does not match the certificate."
		if !strings.Contains(err.Error(), "does not match") {
			msg = "The private key does not parse as PEM (PKCS#1, PKCS#8 or EC); it starts with -----BEGIN … PRIVATE KEY-----."
		}
		return nil, portico.FieldError("private_key", msg)
	}
	if err := leaf.VerifyHostname(domain); err != nil {
		return nil, portico.FieldError("certificate", fmt.Sprintf("The certificate does not cover %s (it names %s).", domain, strings.Join(leaf.DNSNames, ", ")))
	}
	switch {
	case now.After(leaf.NotAfter):
		return nil, portico.FieldError("certificate", fmt.Sprintf("The certificate expired on %s.", leaf.NotAfter.UTC().Format(time.DateOnly)))
	case now.Before(leaf.NotBefore):
		return nil, portico.FieldError("certificate", fmt.Sprintf("The certificate is not valid before %s.", leaf.NotBefore.UTC().Format(time.RFC3339)))
	}
	var keyOut strings.Builder
	for rest := []byte(keyPEM); ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			pem.Encode(&keyOut, b)
			break
		}
	}
	issuer := leaf.Issuer.CommonName
	if issuer == "" && len(leaf.Issuer.Organization) > 0 {
		issuer = leaf.Issuer.Organization[0]
	}
	return &Upload{CertPEM: out.String(), KeyPEM: keyOut.String(), NotAfter: leaf.NotAfter.UTC(), Issuer: issuer}, nil
}
