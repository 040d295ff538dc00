package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/portico"
	"portico/internal/store"
)

// Operator users: owners list, add and change the staff who use the panel
// and the API. app refuses every other role; requireOwner also keeps them
// from the pages, so a crafted request meets a 403 either way.

// requireOwner refuses every role but owner before the handler runs.
func requireOwner(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if u := userFrom(r.Context()); u.Role != portico.RoleOwner {
			return portico.Errorf(portico.EFORBIDDEN, "Only an owner may manage operator users; your role is %s.", u.Role)
		}
		return h(w, r)
	}
}

// roleOptions are the choices of the role select.
var roleOptions = []option{
	{Value: portico.RoleOwner, Label: "Owner: everything, including users"},
	{Value: portico.RoleAdmin, Label: "Admin: everything but users"},
	{Value: portico.RoleSupport, Label: "Support: read-only"},
}

type userList struct{ Users []store.UserSummary }

func (p *panel) handleUserList(w http.ResponseWriter, r *http.Request) error {
	users, err := p.svc.ListUsers(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "users", &view{Title: "Users", Nav: "users", Data: userList{Users: users}})
}

// userPage is the Data of the user form.
type userPage struct {
	User   *store.UserSummary // nil when adding
	Self   bool               // the user is the one logged in
	Roles  []option
	Tokens []*portico.APIToken
}

func (p *panel) showUserForm(w http.ResponseWriter, r *http.Request, u *store.UserSummary, form url.Values, failure error) error {
	data := userPage{User: u, Roles: roleOptions}
	title := "Add user"
	if u != nil {
		title, data.Self = u.Email, u.ID == userFrom(r.Context()).ID
		tokens, err := p.svc.ListAPITokens(r.Context(), actor(r), u.ID)
		if err != nil {
			return err
		}
		data.Tokens = tokens
	}
	v := &view{Title: title, Nav: "users", Form: form, Data: data}
	if failure != nil {
		return p.formError(w, r, failure, "user_form", v)
	}
	return p.render(w, r, http.StatusOK, "user_form", v)
}

func (p *panel) handleUserNew(w http.ResponseWriter, r *http.Request) error {
	return p.showUserForm(w, r, nil, url.Values{"auto_generate_password": {"1"}, "role": {portico.RoleSupport}}, nil)
}

// handleUserCreate adds a user. With "Auto generate password" app emails a
// generated password that must be changed at the first login.
func (p *panel) handleUserCreate(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	f := r.PostForm
	u := &portico.User{Email: f.Get("email"), Name: f.Get("name"), Role: f.Get("role")}
	pw := passwordChoice(f)
	if err := p.svc.CreateOperatorUser(r.Context(), actor(r), u, pw); err != nil {
		return p.showUserForm(w, r, nil, f, err)
	}
	flash := "user_created"
	if pw.AutoGenerate {
		flash = "user_emailed"
	}
	return seeOther(w, r, fmt.Sprintf("/users/%d", u.ID), flash)
}

// handleTokenRevoke revokes one of the user's API tokens.
func (p *panel) handleTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	u, err := p.findUser(r)
	if err != nil {
		return err
	}
	tokenID, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return portico.Errorf(portico.ENOTFOUND, "No such API token.")
	}
	if err := p.svc.RevokeAPIToken(r.Context(), actor(r), u.ID, tokenID); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/users/%d", u.ID), "token_revoked")
}

// findUser returns the user the route names.
func (p *panel) findUser(r *http.Request) (store.UserSummary, error) {
	id, err := pathID(r)
	if err != nil {
		return store.UserSummary{}, err
	}
	return p.svc.FindUser(r.Context(), actor(r), id)
}

func userValues(u *portico.User) url.Values {
	f := url.Values{"name": {u.Name}, "role": {u.Role}}
	setChecked(f, "disabled", u.Disabled)
	return f
}

func (p *panel) handleUserView(w http.ResponseWriter, r *http.Request) error {
	u, err := p.findUser(r)
	if err != nil {
		return err
	}
	return p.showUserForm(w, r, &u, userValues(u.User), nil)
}

// handleUserUpdate saves the name, role and disabled flag; app refuses
// self-demotion, self-disabling and leaving no enabled owner.
func (p *panel) handleUserUpdate(w http.ResponseWriter, r *http.Request) error {
	u, err := p.findUser(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	f := r.PostForm
	next := &portico.User{ID: u.ID, Name: f.Get("name"), Role: f.Get("role"), Disabled: checked(f, "disabled")}
	if err := p.svc.UpdateOperatorUser(r.Context(), actor(r), next); err != nil {
		return p.showUserForm(w, r, &u, f, err)
	}
	return seeOther(w, r, fmt.Sprintf("/users/%d", u.ID), "saved")
}

func (p *panel) showUserPasswordForm(w http.ResponseWriter, r *http.Request, u store.UserSummary, form url.Values, failure error) error {
	v := &view{Title: "Set a new password for " + u.Email, Nav: "users", Form: form, Data: u}
	if failure != nil {
		return p.formError(w, r, failure, "user_password", v)
	}
	return p.render(w, r, http.StatusOK, "user_password", v)
}

func (p *panel) handleUserPasswordForm(w http.ResponseWriter, r *http.Request) error {
	u, err := p.findUser(r)
	if err != nil {
		return err
	}
	return p.showUserPasswordForm(w, r, u, url.Values{"auto_generate_password": {"1"}}, nil)
}

func (p *panel) handleUserPassword(w http.ResponseWriter, r *http.Request) error {
	u, err := p.findUser(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	pw := passwordChoice(r.PostForm)
	if err := p.svc.SetOperatorPassword(r.Context(), actor(r), u.ID, pw); err != nil {
		return p.showUserPasswordForm(w, r, u, r.PostForm, err)
	}
	flash := "user_password_set"
	if pw.AutoGenerate {
		flash = "user_password_emailed"
	}
	return seeOther(w, r, fmt.Sprintf("/users/%d", u.ID), flash)
}

func (p *panel) handleUserMFAReset(w http.ResponseWriter, r *http.Request) error {
	u, err := p.findUser(r)
	if err != nil {
		return err
	}
	if err := p.svc.ResetOperatorMFA(r.Context(), actor(r), u.ID); err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/users/%d", u.ID), "user_mfa_reset")
}

// ownPasswordPage is the Data of the own password form.
type ownPasswordPage struct{ Forced bool }

func (p *panel) showOwnPasswordForm(w http.ResponseWriter, r *http.Request, failure error) error {
	v := &view{Title: "Change your password", Nav: "security", Form: url.Values{},
		Data: ownPasswordPage{Forced: userFrom(r.Context()).MustChangePassword}}
	if failure != nil {
		return p.formError(w, r, failure, "password", v)
	}
	return p.render(w, r, http.StatusOK, "password", v)
}

func (p *panel) handleOwnPasswordForm(w http.ResponseWriter, r *http.Request) error {
	return p.showOwnPasswordForm(w, r, nil)
}

// handleOwnPassword changes the logged-in user's password: every other
// session ends and this one is replaced by a new cookie.
func (p *panel) handleOwnPassword(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	token, err := p.svc.ChangeOwnPassword(r.Context(), actor(r), r.PostForm.Get("current_password"), r.PostForm.Get("new_password"))
	if err != nil {
		return p.showOwnPasswordForm(w, r, err)
	}
	setSessionCookie(w, r, token, 0)
	return seeOther(w, r, "/security", "own_password_changed")
}

// mustChangeFirst keeps a user whose password an owner generated on the
// password page until they choose their own.
func mustChangeFirst(w http.ResponseWriter, r *http.Request, u *portico.User) (handled bool, err error) {
	if !u.MustChangePassword || r.URL.Path == "/password" {
		return false, nil
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, "/password", http.StatusSeeOther)
		return true, nil
	}
	return true, portico.Errorf(portico.EFORBIDDEN, "Choose your own password first.")
}
