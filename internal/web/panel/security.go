package panel

import (
	"fmt"
	"net/http"
	"strings"

	"portico/internal/app"
	"portico/internal/portico"
	"portico/internal/web/httpx"
)

// securityPage is the Data of the user's own security page.
type securityPage struct {
	MFA       app.MFAStatus
	Enrolment *app.Enrolment // a set-up waiting for its first code
	Codes     []string       // recovery codes, shown once after they are made
	Allowlist string
	IP        string
}

// showSecurity renders the own-security page; every role may use it, since
// it changes only the user's own login.
func (p *panel) showSecurity(w http.ResponseWriter, r *http.Request, status int, data securityPage, failure error) error {
	a := actor(r)
	var err error
	if data.MFA, err = p.svc.UserMFA(r.Context(), a); err != nil {
		return err
	}
	if data.Enrolment == nil && !data.MFA.Enabled {
		if data.Enrolment, err = p.svc.PendingUserTOTP(r.Context(), a); err != nil {
			return err
		}
	}
	u := userFrom(r.Context())
	data.IP = a.IP
	if data.Allowlist == "" {
		data.Allowlist = strings.Join(u.IPAllowlist, "\n")
	}
	v := &view{Title: "Your security", Nav: "security", Data: data}
	if failure != nil {
		code := portico.ErrorCode(failure)
		if code != portico.EINVALID && code != portico.ECONFLICT && code != portico.ETOOMANY {
			return failure
		}
		v.Error, v.Fields = portico.ErrorMessage(failure), portico.ErrorFields(failure)
		status = httpx.Status(portico.ErrorCode(failure))
	}
	return p.render(w, r, status, "security", v)
}

func (p *panel) handleSecurity(w http.ResponseWriter, r *http.Request) error {
	return p.showSecurity(w, r, http.StatusOK, securityPage{}, nil)
}

func (p *panel) handleTOTPBegin(w http.ResponseWriter, r *http.Request) error {
	e, err := p.svc.BeginUserTOTP(r.Context(), actor(r))
	if err != nil {
		return p.showSecurity(w, r, 0, securityPage{}, err)
	}
	return p.showSecurity(w, r, http.StatusOK, securityPage{Enrolment: e}, nil)
}

func (p *panel) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) error {
	codes, err := p.svc.ConfirmUserTOTP(r.Context(), actor(r), r.PostFormValue("code"))
	if err != nil {
		return p.showSecurity(w, r, 0, securityPage{}, err)
	}
	return p.showSecurity(w, r, http.StatusOK, securityPage{Codes: codes}, nil)
}

func (p *panel) handleTOTPDisable(w http.ResponseWriter, r *http.Request) error {
	if err := p.svc.DisableUserTOTP(r.Context(), actor(r), r.PostFormValue("current_password")); err != nil {
		return p.showSecurity(w, r, 0, securityPage{}, err)
	}
	return seeOther(w, r, "/security", "mfa_off")
}

func (p *panel) handleRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := p.svc.NewUserRecoveryCodes(r.Context(), actor(r), r.PostFormValue("current_password"))
	if err != nil {
		return p.showSecurity(w, r, 0, securityPage{}, err)
	}
	return p.showSecurity(w, r, http.StatusOK, securityPage{Codes: codes}, nil)
}

func (p *panel) handleIPAllowlist(w http.ResponseWriter, r *http.Request) error {
	list := r.PostFormValue("ip_allowlist")
	if err := p.svc.SetOwnIPAllowlist(r.Context(), actor(r), strings.Split(list, "\n")); err != nil {
		return p.showSecurity(w, r, 0, securityPage{Allowlist: list}, err)
	}
	return seeOther(w, r, "/security", "saved")
}

// contactSecurityPage is the Data of a contact's security page.
type contactSecurityPage struct {
	kindInfo
	Account  *portico.Account
	Contact  *portico.Contact
	Security *app.ContactSecurity
	// SupportLink opens a support session on the contact's brand domain.
	SupportLink string
}

func (p *panel) handleContactSecurity(w http.ResponseWriter, r *http.Request) error {
	c, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	sec, err := p.svc.FindContactSecurity(r.Context(), c.ID)
	if err != nil {
		return err
	}
	k := kindOf(acc.Kind)
	return p.render(w, r, http.StatusOK, "contact_security", &view{Title: "Security of " + c.Name, Nav: k.Nav(),
		Data: contactSecurityPage{kindInfo: k, Account: acc, Contact: c, Security: sec}})
}

func (p *panel) handleContactSessionsEnd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := p.svc.EndContactSessionsFor(r.Context(), actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/contacts/%d/security", id), "sessions_ended")
}

func (p *panel) handleContactMFAReset(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := p.svc.ResetContactMFA(r.Context(), actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/contacts/%d/security", id), "mfa_reset")
}

// handleContactImpersonate gives the operator a one-time link that opens
// a support session on the contact's brand domain (a cookie for another
// host cannot be set from here). It shows the link rather than redirecting
// to it: the CSP's form-action 'self' stops a form from redirecting to
// another host.
func (p *panel) handleContactImpersonate(w http.ResponseWriter, r *http.Request) error {
	c, acc, err := p.findContact(r)
	if err != nil {
		return err
	}
	link, err := p.svc.StartImpersonation(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	sec, err := p.svc.FindContactSecurity(r.Context(), c.ID)
	if err != nil {
		return err
	}
	k := kindOf(acc.Kind)
	return p.render(w, r, http.StatusOK, "contact_security", &view{Title: "Security of " + c.Name, Nav: k.Nav(),
		Data: contactSecurityPage{kindInfo: k, Account: acc, Contact: c, Security: sec, SupportLink: link}})
}

// requirePage is the Data of the pages that set "require two-factor".
type requirePage struct {
	What    string // "brand" or "account"
	Name    string
	Back    string
	Action  string
	On      bool
	ByBrand bool // an account's brand requires it already
}

func (p *panel) handleDomainSecurity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := p.svc.FindDomain(r.Context(), id)
	if err != nil {
		return err
	}
	on, err := p.svc.DomainRequires2FA(r.Context(), id)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "require_2fa", &view{Title: "Security of " + d.Domain, Nav: "domains",
		Data: requirePage{What: "brand", Name: d.BrandName, Back: fmt.Sprintf("/domains/%d", id),
			Action: fmt.Sprintf("/domains/%d/require-2fa", id), On: on}})
}

func (p *panel) handleDomainRequire2FA(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := p.svc.SetDomainRequire2FA(r.Context(), actor(r), id, r.PostFormValue("require_2fa") != ""); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/domains/%d/security", id), "saved")
}

func (a accountPages) handleSecurity(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.find(r)
	if err != nil {
		return err
	}
	req, err := a.svc.AccountRequires2FA(r.Context(), acc.ID)
	if err != nil {
		return err
	}
	return a.render(w, r, http.StatusOK, "require_2fa", &view{Title: "Security of " + acc.Name, Nav: a.Nav(),
		Data: requirePage{What: "account", Name: acc.Name, Back: fmt.Sprintf("%s/%d", a.Path, acc.ID),
			Action: fmt.Sprintf("%s/%d/require-2fa", a.Path, acc.ID), On: req.Account, ByBrand: req.Brand}})
}

func (a accountPages) handleRequire2FA(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.svc.SetAccountRequire2FA(r.Context(), actor(r), a.Kind, id, r.PostFormValue("require_2fa") != ""); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("%s/%d/security", a.Path, id), "saved")
}
