package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/store/storetest"
)

// TestUsersPagesOwnerOnly: the Users pages and every user write answer
// 403 to admin and support, who see no Users link either.
func TestUsersPagesOwnerOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.user("ops@example.com", portico.RoleOwner)
		ownerID := actorFor(t, db, "ops@example.com").UserID
		for _, role := range []string{portico.RoleAdmin, portico.RoleSupport} {
			c := e.user(role+"@example.com", role)
			if strings.Contains(c.get("/").want(http.StatusOK).Body, `href="/users"`) {
				t.Errorf("%s sees the Users link", role)
			}
			for _, path := range []string{"/users", "/users/new", fmt.Sprintf("/users/%d", ownerID), fmt.Sprintf("/users/%d/password", ownerID)} {
				c.get(path).want(http.StatusForbidden).wantText("Only an owner may manage operator users")
			}
			for path, form := range map[string]url.Values{
				"/users":                          {"email": {"x@example.com"}, "role": {"owner"}, "password": {"a sturdy passphrase"}},
				fmt.Sprintf("/users/%d", ownerID): {"name": {"x"}, "role": {"support"}, "disabled": {"1"}},
				fmt.Sprintf("/users/%d/password", ownerID):        {"password": {"a sturdy passphrase"}},
				fmt.Sprintf("/users/%d/mfa/reset", ownerID):       nil,
				fmt.Sprintf("/users/%d/password?x=1", 99999):      {"password": {"x"}},
				fmt.Sprintf("/users/%d/tokens/1/revoke", ownerID): nil,
			} {
				c.post(path, form).want(http.StatusForbidden)
			}
		}
		if u, _ := db.Read().FindUserByID(ctx, ownerID); u.Disabled || u.Role != portico.RoleOwner {
			t.Errorf("the owner was changed by a refused request: %+v", u)
		}
		p := owner.get("/users").want(http.StatusOK)
		p.wantText("ops@example.com (you)", "admin@example.com", "support@example.com", "Enabled")
		if !strings.Contains(owner.get("/").Body, `href="/users"`) {
			t.Error("the owner sees no Users link")
		}

		// The owner sees the admin's API tokens by name and revokes one.
		adminID := actorFor(t, db, "admin@example.com").UserID
		if _, err := e.svc.CreateAPIToken(ctx, "admin@example.com", "billing-sync"); err != nil {
			t.Fatal(err)
		}
		adminPage := fmt.Sprintf("/users/%d", adminID)
		p = owner.get(adminPage).want(http.StatusOK)
		p.wantText("API tokens", "billing-sync")
		tokens, _ := db.Read().ListAPITokens(ctx, adminID)
		owner.post(fmt.Sprintf("%s/tokens/%d/revoke", adminPage, tokens[0].ID), nil).wantRedirect(adminPage + "?flash=token_revoked")
		owner.get(adminPage+"?flash=token_revoked").want(http.StatusOK).wantText("API token revoked", "No API tokens.")
		owner.post(fmt.Sprintf("%s/tokens/%d/revoke", adminPage, tokens[0].ID), nil).want(http.StatusNotFound)
	})
}

// TestUsersPagesFlow: an owner adds users (errors next to the fields,
// input kept), changes role and name, disables a user (whose session
// ends), is refused demoting themselves, sets a password, and the user
// with a generated password must choose their own first.
func TestUsersPagesFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.user("ops@example.com", portico.RoleOwner)
		ownerID := actorFor(t, db, "ops@example.com").UserID

		form := owner.get("/users/new").want(http.StatusOK)
		if !form.checked("auto_generate_password", "") || form.value("role") != portico.RoleSupport {
			t.Error("the new user form does not start with a generated password and the support role")
		}
		bad := url.Values{"email": {"ann at example"}, "name": {"Ann Ops"}, "role": {"root"}, "password": {"abc"}}
		p := owner.post("/users", bad).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"email": "", "role": "Role must be", "password": "at least 8"})
		if p.value("email") != "ann at example" || p.value("name") != "Ann Ops" || p.value("password") != "" {
			t.Error("the form does not keep what was typed (or echoes the password)")
		}
		p = owner.post("/users", url.Values{"email": {"ops@example.com"}, "role": {"admin"}, "password": {"a sturdy passphrase"}}).
			want(http.StatusConflict)
		wantFieldErrors(t, p, map[string]string{"email": "exists"})

		loc := owner.post("/users", url.Values{"email": {"ann@example.com"}, "name": {"Ann"}, "role": {"support"},
			"password": {"a sturdy passphrase"}}).wantRedirect("/users/").Location
		owner.get(loc).want(http.StatusOK).wantText("User created with the password you typed.", "ann@example.com", "Last login —")
		ann, err := db.Read().FindUserByEmail(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		annPath := fmt.Sprintf("/users/%d", ann.ID)
		annC := e.client()
		annC.post("/login", url.Values{"email": {"ann@example.com"}, "password": {"a sturdy passphrase"}}).wantRedirect("/")
		annC.get("/").want(http.StatusOK)
		owner.get("/users").want(http.StatusOK).wantText("ann@example.com Ann support Off Enabled 20")

		// Rename and promote, then disable: Ann's session ends.
		owner.post(annPath, url.Values{"name": {"Ann Ops"}, "role": {"admin"}}).wantRedirect(annPath)
		if p := owner.get(annPath); p.value("name") != "Ann Ops" || p.value("role") != "admin" || p.checked("disabled", "") {
			t.Error("the change is not shown")
		}
		owner.post(annPath, url.Values{"name": {""}, "role": {"nobody"}}).want(http.StatusUnprocessableEntity)
		owner.post(annPath, url.Values{"name": {"Ann Ops"}, "role": {"admin"}, "disabled": {"1"}}).wantRedirect(annPath)
		annC.get("/").wantRedirect("/login")
		annC.post("/login", url.Values{"email": {"ann@example.com"}, "password": {"a sturdy passphrase"}}).want(http.StatusUnauthorized)
		owner.get("/users").want(http.StatusOK).wantText("ann@example.com Ann Ops admin Off Disabled")

		// The owner cannot demote or disable themselves; the form says why.
		me := fmt.Sprintf("/users/%d", ownerID)
		p = owner.post(me, url.Values{"name": {"Me"}, "role": {"admin"}, "disabled": {"1"}}).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"role": "cannot change your own role", "disabled": "cannot disable yourself"})
		if p.value("name") != "Me" || p.value("role") != "admin" {
			t.Error("the refused form does not keep what was chosen")
		}
		if strings.Contains(owner.get(me).Body, me+"/password") {
			t.Error("the owner is offered to set their own password without the current one")
		}

		// Enable Ann again and give her a new typed password.
		owner.post(annPath, url.Values{"name": {"Ann Ops"}, "role": {"admin"}}).wantRedirect(annPath)
		owner.post(annPath+"/password", url.Values{"password": {"abc"}}).want(http.StatusUnprocessableEntity)
		owner.post(annPath+"/password", url.Values{"password": {"a new sturdy passphrase"}}).wantRedirect(annPath + "?flash=user_password_set")
		annC.post("/login", url.Values{"email": {"ann@example.com"}, "password": {"a new sturdy passphrase"}}).wantRedirect("/")
		annC.get("/").want(http.StatusOK)

		// A generated password: emailed, and Ann must choose her own.
		owner.get(annPath + "/password").want(http.StatusOK)
		owner.post(annPath+"/password", url.Values{"auto_generate_password": {"1"}}).wantRedirect(annPath + "?flash=user_password_emailed")
		annC.get("/").wantRedirect("/login")
		owner.get(annPath).wantText("Must choose a new password at next login.")
		hash, _ := e.svc.Hasher.Hash(ctx, "as if from the email")
		if err := db.Write(ctx, func(q *store.Q) error { return q.ReplaceUserPassword(ctx, ann.ID, hash, true) }); err != nil {
			t.Fatal(err)
		}
		annC.post("/login", url.Values{"email": {"ann@example.com"}, "password": {"as if from the email"}}).wantRedirect("/")
		annC.get("/customers").wantRedirect("/password")
		annC.post("/customers", url.Values{"name": {"Sneaky"}}).want(http.StatusForbidden)
		annC.get("/password").want(http.StatusOK).wantText("Choose your own before you go on")
		annC.post("/password", url.Values{"current_password": {"as if from the email"}, "new_password": {"ann chose this one"}}).
			wantRedirect("/security")
		annC.get("/customers").want(http.StatusOK)

		// Reset two-factor (Ann has none: the button is not offered, the
		// route still works and ends her sessions).
		if strings.Contains(owner.get(annPath).Body, "/mfa/reset") {
			t.Error("a reset is offered for a user without two-factor")
		}
		owner.post(annPath+"/mfa/reset", nil).wantRedirect(annPath + "?flash=user_mfa_reset")
		annC.get("/").wantRedirect("/login")
		owner.post("/users/99999", url.Values{"name": {"x"}, "role": {"admin"}}).want(http.StatusNotFound)

		es, err := db.Read().FilterAuditEntries(ctx, store.AuditFilter{Action: "user.", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Action)
		}
		// user.login: Ann's refused login while disabled.
		want := "user.password_change user.password user.password user.enable user.login user.disable user.role user.update user.create"
		if strings.Join(got[:9], " ") != want {
			t.Errorf("audit %q, want %q", got, want)
		}
	})
}

// TestOwnPasswordChange: any role changes its own password with the
// current one; other sessions end and this one carries on.
func TestOwnPasswordChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.user("help@example.com", portico.RoleSupport)
		other := e.client()
		other.post("/login", url.Values{"email": {"help@example.com"}, "password": {testPassword}}).wantRedirect("/")
		c.get("/security").want(http.StatusOK).wantText("Change your password")
		for _, name := range []string{"current_password", "new_password"} {
			if n := c.get("/password").control(name, ""); n == nil || hasAttr(n, "disabled") {
				t.Errorf("support's own password form has no usable %s", name)
			}
		}
		p := c.post("/password", url.Values{"current_password": {"wrong"}, "new_password": {"password"}}).want(http.StatusUnprocessableEntity)
		wantFieldErrors(t, p, map[string]string{"current_password": "incorrect", "new_password": "common"})
		c.post("/password", url.Values{"current_password": {testPassword}, "new_password": {"a brand new passphrase"}}).
			wantRedirect("/security?flash=own_password_changed")
		c.get("/security?flash=own_password_changed").want(http.StatusOK).wantText("Every other session of yours has ended.")
		other.get("/").wantRedirect("/login")
		e.client().post("/login", url.Values{"email": {"help@example.com"}, "password": {"a brand new passphrase"}}).wantRedirect("/")
	})
}
