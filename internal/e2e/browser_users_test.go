package e2e

// panelUsers: the owner adds a support user with a typed password, opens
// the set-password page, the new user logs in and changes their own
// password, and the owner disables them.
func (f *flow) panelUsers() {
	const samEmail, samPassword, samPassword2 = "sam@operator.test", "sam's first passphrase", "sam's own passphrase"
	f.open(f.panel("/users"), "panel/users", 200)
	f.wantText("table", ownerEmail+" (you)", "owner")
	f.press("+ Add user", "panel/user_form:new", 200)
	f.fill("f-email", samEmail)
	f.fill("f-name", "Sam Support")
	f.choose("f-role", "Support: read-only")
	f.tick("f-auto_generate_password", false)
	f.fill("f-password", "short")
	f.press("Add user", "panel/user_form:invalid", 422)
	f.wantText(".error-summary", "Please correct the highlighted fields")
	if f.value("f-email") != samEmail {
		f.t.Fatal("the refused form lost the email")
	}
	f.fill("f-password", samPassword)
	f.press("Add user", "panel/user_form:edit", 200)
	f.wantText("p.notice.ok", "User created with the password you typed.")
	f.press("Set a new password", "panel/user_password", 200)
	f.press("Cancel", "panel/user_form:edit", 200)

	// Sam logs in and chooses their own password.
	f.press("Log out", "panel/login", 200)
	f.login(samEmail, samPassword, "panel/dashboard", 200)
	f.wantText("p.notice.readonly", "read-only")
	f.open(f.panel("/security"), "panel/security", 200)
	f.press("Change your password", "panel/password", 200)
	f.fill("f-current_password", samPassword)
	f.fill("f-new_password", samPassword2)
	f.press("Change password", "panel/security", 200)
	f.wantText("p.notice.ok", "Your password is changed.")
	f.press("Log out", "panel/login", 200)

	// The owner disables Sam, who can no longer log in.
	f.login(ownerEmail, ownerPassword, "panel/dashboard", 200)
	f.press("Users", "panel/users", 200)
	f.press(samEmail, "panel/user_form:edit", 200)
	f.tick("f-disabled", true)
	f.press("Save", "panel/user_form:edit", 200)
	f.wantText("p.notice.ok", "Changes saved.")
	f.press("Users", "panel/users", 200)
	f.wantText("table", samEmail, "Disabled")
	f.press("Log out", "panel/login", 200)
	f.login(samEmail, samPassword2, "panel/login:refused", 401)
	f.login(ownerEmail, ownerPassword, "panel/dashboard", 200)
}
