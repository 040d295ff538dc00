package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"portico/internal/auth"
	"portico/internal/mail"
	"portico/internal/portico"
	"portico/internal/store"
)

// SignupInput is what a visitor types on a portal's signup form.
type SignupInput struct {
	Kind        portico.AccountKind
	CompanyName string
	Name        string
	Email       string
	Password    string
	Currency    string // "" takes the default of SignupCurrencies
	AcceptTerms bool
}

// SignupOpen reports whether brand takes signups of kind.
func SignupOpen(brand *portico.Domain, kind portico.AccountKind) bool {
	return kind == portico.KindCustomer && brand.CustomerSignup || kind == portico.KindCarrier && brand.CarrierSignup
}

// SignupCurrencies returns the currencies a visitor may pick on brand and
// the one preselected. The brand's list decides; without one, the only
// choice is the template account's currency or else the operator's default.
// The template's currency is also the default when the brand lists it.
func (s *Service) SignupCurrencies(ctx context.Context, brand *portico.Domain) (offered []string, def string, err error) {
	tmpl, err := s.signupTemplate(ctx, brand)
	if err != nil {
		return nil, "", err
	}
	offered, def = s.signupCurrencies(brand, tmpl)
	return offered, def, nil
}

func (s *Service) signupCurrencies(brand *portico.Domain, tmpl *portico.Account) (offered []string, def string) {
	offered = brand.Currencies
	switch {
	case tmpl != nil && len(offered) == 0:
		return []string{tmpl.Currency}, tmpl.Currency
	case tmpl != nil && slices.Contains(offered, tmpl.Currency):
		return offered, tmpl.Currency
	case len(offered) > 0:
		return offered, offered[0]
	}
	return []string{s.DefaultCurrency}, s.DefaultCurrency
}

// signupTemplate returns the account whose settings brand's signups copy,
// or nil when it names none (or the template has since been deleted).
func (s *Service) signupTemplate(ctx context.Context, brand *portico.Domain) (*portico.Account, error) {
	if brand.TemplateAccountID == nil {
		return nil, nil
	}
	acc, err := s.DB.Read().FindAccountByID(ctx, *brand.TemplateAccountID)
	if portico.ErrorCode(err) == portico.ENOTFOUND {
		return nil, nil
	}
	return acc, err
}

// Signup creates a pending customer or carrier account on brand with one
// contact (the signer), emails the signer a verification link and tells
// every owner and admin that a signup awaits approval. The new account gets
// the brand's signup credit limit and, when the brand names a template
// account, copies of its access overrides, tax ID and tax percent (and its
// currency when the visitor picked none); nothing else is copied.
//
// When the email is already a login nothing is created: the address's owner
// is mailed a notice instead, and the caller shows the same "check your
// email" answer, so the form cannot be used to find out who has a login.
func (s *Service) Signup(ctx context.Context, brand *portico.Domain, in SignupInput, ip string) error {
	if !SignupOpen(brand, in.Kind) {
		return portico.Errorf(portico.ENOTFOUND, "Signup is not available here.")
	}
	// Every attempt counts, valid or not: five per client address per ten
	// minutes, three per typed address per hour (each may mail it).
	if err := s.countAttempt(ctx, mailFormKeys("signup", ip, in.Email)...); err != nil {
		return err
	}
	tmpl, err := s.signupTemplate(ctx, brand)
	if err != nil {
		return err
	}
	acc, c, err := s.signupRecords(brand, tmpl, in)
	if err != nil {
		return err
	}
	// Hash before looking the address up, so both answers cost the same.
	if c.PasswordHash, err = s.Hasher.Hash(ctx, in.Password); err != nil {
		return err
	}
	existing, err := s.DB.Read().FindContactByEmail(ctx, c.Email)
	if err != nil && portico.ErrorCode(err) != portico.ENOTFOUND {
		return err
	}
	if existing == nil {
		err = s.DB.Write(ctx, func(q *store.Q) error { return s.createSignup(ctx, q, brand, acc, c, ip) })
		if !emailTaken(err) {
			if err == nil {
				s.kickMail()
			}
			return err
		}
		// Someone signed up with the same address a moment ago: answer
		// as for any existing login.
	}
	err = s.DB.Write(ctx, func(q *store.Q) error { return s.noteSignupExistingLogin(ctx, q, brand, c, ip) })
	if err == nil {
		s.kickMail()
	}
	return err
}

// signupRecords turns the form into the account and contact to create,
// checking every field and reporting all problems at once.
func (s *Service) signupRecords(brand *portico.Domain, tmpl *portico.Account, in SignupInput) (*portico.Account, *portico.Contact, error) {
	offered, def := s.signupCurrencies(brand, tmpl)
	currency := strings.TrimSpace(in.Currency)
	if currency == "" {
		currency = def
	}
	did := brand.ID
	acc := &portico.Account{Kind: in.Kind, Name: in.CompanyName, Status: portico.StatusPendingApproval,
		Currency: currency, CreditLimit: brand.SignupCreditLimit, DomainID: &did}
	if tmpl != nil {
		acc.AccessOverrides, acc.TaxID, acc.TaxPercent = maps.Clone(tmpl.AccessOverrides), tmpl.TaxID, tmpl.TaxPercent
	}
	acc.Normalize()
	c := &portico.Contact{Name: in.Name, Email: in.Email, ContactType: "main"}
	c.Normalize()

	fields := portico.FieldErrors{}
	for k, v := range portico.ErrorFields(acc.Validate()) {
		if k == "name" {
			k, v = "company_name", strings.Replace(v, "Name", "Company name", 1)
		}
		fields.Add(k, v)
	}
	for k, v := range portico.ErrorFields(c.Validate()) {
		fields.Add(k, v)
	}
	if !slices.Contains(offered, acc.Currency) {
		fields.Add("currency", "Choose one of "+strings.Join(offered, ", ")+".")
	}
	if err := auth.CheckPolicy("password", in.Password); err != nil {
		fields.Add("password", portico.ErrorFields(err)["password"])
	}
	if !in.AcceptTerms {
		fields.Add("accept_terms", "Please accept the terms to sign up.")
	}
	return acc, c, fields.Err()
}

// emailTaken reports whether err is the unique-email conflict of a contact.
func emailTaken(err error) bool {
	return portico.ErrorCode(err) == portico.ECONFLICT && portico.ErrorFields(err)["email"] != ""
}

func (s *Service) createSignup(ctx context.Context, q *store.Q, brand *portico.Domain, acc *portico.Account, c *portico.Contact, ip string) error {
	if err := q.CreateAccount(ctx, acc); err != nil {
		return err
	}
	c.AccountID = acc.ID
	if err := q.CreateContact(ctx, c); err != nil {
		return err
	}
	link, err := s.newBrandLink(ctx, q, brand, c.ID, purposeVerify, "/verify", verifyLifetime)
	if err != nil {
		return err
	}
	d := s.brandMail(brand, c.Email, c.Name)
	d.Link, d.AccountName, d.AccountKind = link, acc.Name, string(acc.Kind)
	if err := s.queueMail(ctx, q, brand, mail.KindVerifyEmail, d, ""); err != nil {
		return err
	}
	approvers, err := q.FindApprovers(ctx)
	if err != nil {
		return err
	}
	for _, u := range approvers {
		// Operator mail: sent through the operator's SMTP (no brand
		// passed), but naming the brand the signup came from.
		d := mail.Data{To: u.Email, Name: u.Name, Brand: brand.BrandName, BrandDomain: brand.Domain,
			AccountName: acc.Name, AccountKind: string(acc.Kind), ContactName: c.Name, ContactEmail: c.Email,
			OperatorPanelURL: s.Links.URL(s.Links.PanelHost, fmt.Sprintf("/%ss/%d", acc.Kind, acc.ID))}
		if err := s.queueMail(ctx, q, nil, mail.KindSignupReceived, d, ""); err != nil {
			return err
		}
	}
	return q.Audit(ctx, store.AuditEntry{Actor: contactActor(c), Action: string(acc.Kind) + ".signup",
		Target: accountTarget(acc), IP: ip, Detail: fmt.Sprintf("%s on %s", acc.Name, brand.Domain)})
}

// noteSignupExistingLogin mails the owner of an address that already logs
// in, from the brand the signup was tried on, and records the attempt.
func (s *Service) noteSignupExistingLogin(ctx context.Context, q *store.Q, brand *portico.Domain, c *portico.Contact, ip string) error {
	if err := s.queueMail(ctx, q, brand, mail.KindSignupExistingLogin, s.brandMail(brand, c.Email, ""), ""); err != nil {
		return err
	}
	return q.Audit(ctx, store.AuditEntry{Actor: "visitor", Action: "signup", Target: domainTarget(brand), IP: ip,
		Outcome: "denied", Detail: c.Email + " is already a login"})
}
