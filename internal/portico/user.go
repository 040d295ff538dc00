package portico

import (
	"strings"
	"time"
)

// Operator user roles.
const (
	RoleOwner   = "owner"
	RoleAdmin   = "admin"
	RoleSupport = "support" // read-only
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return r == RoleOwner || r == RoleAdmin || r == RoleSupport }

// User is a member of the operator's staff who uses the control panel and API.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	PasswordHash string
	Disabled     bool
	// IPAllowlist holds the CIDRs the user may log in and work from;
	// empty means any address.
	IPAllowlist []string
	CreatedAt   time.Time
	// MustChangePassword is set when an owner gave the user a generated
	// password: the panel opens only the password page until it is changed.
	MustChangePassword bool
	// LastLoginAt is the last completed login (password and second
	// factor), nil before the first.
	LastLoginAt *time.Time
}

// CanWrite reports whether the user's role may change data.
func (u *User) CanWrite() bool { return u.Role == RoleOwner || u.Role == RoleAdmin }

// Validate checks the user's fields.
func (u *User) Validate() error {
	f := FieldErrors{}
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if msg := ValidateEmail(u.Email); msg != "" {
		f.Add("email", msg)
	}
	if !ValidRole(u.Role) {
		f.Add("role", "Role must be owner, admin or support.")
	}
	checkText(f, "name", "Name", u.Name, 0, 200)
	u.IPAllowlist = NormalizeAllowlist(u.IPAllowlist)
	if msg := ValidateAllowlist(u.IPAllowlist); msg != "" {
		f.Add("ip_allowlist", msg)
	}
	return f.Err()
}

// APIToken is an operator API credential. Only its hash is stored.
type APIToken struct {
	ID        int64
	UserID    int64
	Name      string
	CreatedAt time.Time
}
