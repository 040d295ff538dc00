package portico

import (
	"net/netip"
	"strings"
	"time"
)

// Contact is a person who logs into the portal for one account.
type Contact struct {
	ID                 int64
	AccountID          int64
	Name               string
	Email              string // normalised; the login
	Phone              string
	Mobile             string
	ContactType        string // e.g. billing, technical, main
	PasswordHash       string
	MustChangePassword bool
	PublicNotes        string // shown in the portal
	PrivateNotes       string // control panel only
	EmailVerified      bool
	MobileVerified     bool
	IPAllowlist        []string // CIDRs; empty = any address
	TimeZone           string   // IANA name
	Language           string
	Disabled           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ContactTypes are the kinds of contact offered in forms.
var ContactTypes = []string{"main", "billing", "technical", "sales", "noc"}

// Normalize puts user-typed values into their stored form.
func (c *Contact) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = NormalizeEmail(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Mobile = strings.TrimSpace(c.Mobile)
	c.TimeZone = strings.TrimSpace(c.TimeZone)
	c.Language = strings.TrimSpace(c.Language)
	c.IPAllowlist = NormalizeAllowlist(c.IPAllowlist)
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	if c.Language == "" {
		c.Language = "en"
	}
}

// Validate checks every field except the password, which the auth policy checks.
func (c *Contact) Validate() error {
	f := FieldErrors{}
	checkText(f, "name", "Name", c.Name, 1, 200)
	if msg := ValidateEmail(c.Email); msg != "" {
		f.Add("email", msg)
	}
	checkPhone(f, "phone", "Phone", c.Phone)
	checkPhone(f, "mobile", "Mobile", c.Mobile)
	if c.ContactType != "" {
		ok := false
		for _, t := range ContactTypes {
			ok = ok || t == c.ContactType
		}
		if !ok {
			f.Add("contact_type", "Contact type must be one of "+strings.Join(ContactTypes, ", ")+".")
		}
	}
	checkText(f, "public_notes", "Public notes", c.PublicNotes, 0, 5000)
	checkText(f, "private_notes", "Private notes", c.PrivateNotes, 0, 5000)
	if msg := ValidateAllowlist(c.IPAllowlist); msg != "" {
		f.Add("ip_allowlist", msg)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "Local" {
		f.Add("time_zone", "Time zone must be an IANA name like Europe/London.")
	}
	if len(c.Language) < 2 || len(c.Language) > 10 {
		f.Add("language", "Language must be a code like en or pt-BR.")
	}
	return f.Err()
}

// AllowsIP reports whether addr may use this contact's login. An empty
// allowlist allows any address.
func (c *Contact) AllowsIP(addr netip.Addr) bool {
	return AllowlistAllows(c.IPAllowlist, addr.String())
}

func checkPhone(f FieldErrors, field, label, v string) {
	if v == "" {
		return
	}
	if len(v) > 32 {
		f.Add(field, label+" must be at most 32 characters.")
		return
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || strings.ContainsRune("+-() .", r)) {
			f.Add(field, label+" may hold only digits, spaces and + - ( ) .")
			return
		}
	}
}
