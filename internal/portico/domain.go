package portico

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DNS statuses of a portal domain.
const (
	DNSUnchecked       = "unchecked"
	DNSVerified        = "verified"
	DNSMissing         = "missing"
	DNSWrongRecord     = "wrong_record"
	DNSPointsElsewhere = "points_elsewhere"
)

// Domain is a portal domain: one brand on one custom host name.
type Domain struct {
	ID                int64
	Domain            string // normalised host name, unique
	BrandName         string
	CustomerSignup    bool
	CarrierSignup     bool
	SignupCreditLimit Money
	Currencies        []string
	TemplateAccountID *int64
	Access            []Section
	PrimaryColor      string // "#rrggbb" or ""
	Footer            string
	CustomCSS         string
	HasLogo           bool
	LogoType          string // image/png, image/jpeg or image/gif
	SMTP              SMTPSettings
	DNSStatus         string
	DNSCheckedAt      *time.Time // last DNS check, nil if never
	DNSDetail         string     // what the last check found, in words
	DNSVerifiedAt     *time.Time // last check that found the right CNAME
	TLS               DomainTLS
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// SMTPSettings is a brand's own mail server. Password is write-only: the
// store reads it only for the mail worker, never for display.
type SMTPSettings struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// Insecure allows a plain connection with no STARTTLS/TLS.
	Insecure bool
}

// Configured reports whether the brand has its own SMTP server.
func (s SMTPSettings) Configured() bool { return s.Host != "" }

var (
	colorRE    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Normalize puts user-typed values into their stored form.
func (d *Domain) Normalize() {
	typed := strings.TrimSpace(d.Domain)
	if n := NormalizeHost(typed); n != "" {
		d.Domain = n
	} else {
		d.Domain = typed
	}
	d.BrandName = strings.TrimSpace(d.BrandName)
	d.PrimaryColor = strings.ToLower(strings.TrimSpace(d.PrimaryColor))
	for i, c := range d.Currencies {
		d.Currencies[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	d.SMTP.Host = strings.TrimSpace(d.SMTP.Host)
	d.SMTP.From = strings.TrimSpace(d.SMTP.From)
}

// Validate checks every field and reports all problems at once.
func (d *Domain) Validate() error {
	f := FieldErrors{}
	switch {
	case d.Domain == "":
		f.Add("domain", "Domain is required.")
	case NormalizeHost(d.Domain) != d.Domain:
		f.Add("domain", "Domain must be a host name like portal.example.com (no scheme, path or IP address).")
	case !strings.Contains(d.Domain, "."):
		f.Add("domain", "Domain must have at least two labels, like portal.example.com.")
	}
	checkText(f, "brand_name", "Brand name", d.BrandName, 1, 100)
	if d.SignupCreditLimit < 0 {
		f.Add("signup_credit_limit", "Signup credit limit cannot be negative.")
	}
	seen := map[string]bool{}
	for _, c := range d.Currencies {
		if !currencyRE.MatchString(c) {
			f.Add("currencies", "Currencies must be three-letter ISO codes like USD, EUR.")
		} else if seen[c] {
			f.Add("currencies", "Currency "+c+" is listed twice.")
		}
		seen[c] = true
	}
	seenS := map[Section]bool{}
	for _, s := range d.Access {
		if !ValidSection(s) {
			f.Add("access", "Unknown access section "+quote(string(s))+".")
		} else if seenS[s] {
			f.Add("access", "Access section "+quote(string(s))+" is listed twice.")
		}
		seenS[s] = true
	}
	if d.PrimaryColor != "" && !colorRE.MatchString(d.PrimaryColor) {
		f.Add("primary_color", "Primary colour must look like #1a73e8.")
	}
	checkText(f, "footer", "Footer", d.Footer, 0, 2000)
	checkText(f, "custom_css", "Custom CSS", d.CustomCSS, 0, 50000)
	if d.SMTP.Host != "" {
		if d.SMTP.Port < 1 || d.SMTP.Port > 65535 {
			f.Add("smtp_port", "SMTP port must be between 1 and 65535.")
		}
		if msg := ValidateEmail(NormalizeEmail(d.SMTP.From)); msg != "" {
			f.Add("smtp_from", "SMTP from address: "+msg)
		}
	}
	checkText(f, "smtp_host", "SMTP host", d.SMTP.Host, 0, 253)
	checkText(f, "smtp_username", "SMTP username", d.SMTP.Username, 0, 200)
	checkText(f, "smtp_password", "SMTP password", d.SMTP.Password, 0, 200)
	return f.Err()
}

// HasSection reports whether the brand's access list names s.
func (d *Domain) HasSection(s Section) bool {
	for _, x := range d.Access {
		if x == s {
			return true
		}
	}
	return false
}

func quote(s string) string { return "\"" + s + "\"" }

// checkText validates a free-text field's length in characters.
func checkText(f FieldErrors, field, label, v string, minLen, maxLen int) {
	n := len([]rune(v))
	switch {
	case minLen > 0 && strings.TrimSpace(v) == "":
		f.Add(field, label+" is required.")
	case n > maxLen:
		f.Add(field, label+" must be at most "+strconv.Itoa(maxLen)+" characters.")
	}
}
