package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is one SMTP server to send through: the operator's default or
// a brand's own.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // AUTH is used only when set
	Password string
	From     string // envelope and header sender address
	// Insecure sends over a plain connection. Without it a server that
	// does not offer STARTTLS is refused, so a man in the middle cannot
	// strip encryption and read passwords in transit.
	Insecure bool
	// ImplicitTLS starts TLS on connect (smtps, usually port 465)
	// instead of upgrading with STARTTLS.
	ImplicitTLS bool
	// TLSConfig overrides certificate checks (tests, private CAs); nil
	// verifies the server certificate against the system roots.
	TLSConfig *tls.Config
}

// Default ports: submission with STARTTLS, and submissions (implicit TLS).
const (
	portSTARTTLS = 587
	portImplicit = 465
)

// sendTimeout bounds dialling and each SMTP exchange, so a silent server
// holds a message for a while, not for ever.
const sendTimeout = 15 * time.Second

// errSMTPURL is the one message for a URL that does not parse. The parser's
// own error quotes parts of the URL, and a password holding a "/" or "%"
// would leak into logs through it.
var errSMTPURL = errors.New("SMTP URL is not valid: expected smtp://user:password@host:port or smtps://user:password@host:port " +
	"(characters like @ : / % in the user name or password must be %-encoded)")

// ParseSMTPURL reads the operator's SMTP server from a URL:
//
//	smtp://user:password@host:port    STARTTLS required (default port 587)
//	smtp://host:25?insecure=true      no TLS at all (explicit opt-out)
//	smtps://user:password@host:port   implicit TLS (default port 465)
//
// The user name and password are URL-decoded. An optional from=address
// parameter sets the sender. Errors never quote the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return SMTPConfig{}, errSMTPURL
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port = portSTARTTLS
	case "smtps":
		c.Port, c.ImplicitTLS = portImplicit, true
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL must start with smtp:// or smtps://")
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return SMTPConfig{}, errSMTPURL
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, fmt.Errorf("SMTP URL has no host name")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("SMTP URL port must be a number from 1 to 65535")
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	for key, vals := range u.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "insecure":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return SMTPConfig{}, fmt.Errorf("SMTP URL parameter insecure must be true or false")
			}
			c.Insecure = b
		case "from":
			c.From = v
		default:
			return SMTPConfig{}, fmt.Errorf("SMTP URL has an unknown parameter %q (known: insecure, from)", key)
		}
	}
	if c.Insecure && c.ImplicitTLS {
		return SMTPConfig{}, fmt.Errorf("SMTP URL: insecure=true contradicts smtps:// (use smtp:// for a plain connection)")
	}
	return c, nil
}

// outgoing is one message ready for the wire, secret already in place.
type outgoing struct {
	FromName string // brand name shown as the sender
	To       string
	Subject  string
	Text     string
	HTML     string
}

// send delivers m through the server in c, one connection per message.
func send(ctx context.Context, c SMTPConfig, m outgoing) error {
	if c.From == "" {
		return errors.New("no sender address: set the SMTP From address")
	}
	msg := gomail.NewMsg()
	var err error
	if m.FromName != "" {
		err = msg.FromFormat(m.FromName, c.From)
	} else {
		err = msg.From(c.From)
	}
	if err != nil {
		return fmt.Errorf("sender address %q: %w", c.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient address %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	client, err := gomail.NewClient(c.Host, c.clientOptions()...)
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, msg)
}

// clientOptions turns c into go-mail options: encryption first, then AUTH
// only when there is a user name.
func (c SMTPConfig) clientOptions() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(sendTimeout)}
	switch {
	case c.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case c.Insecure:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.TLSConfig != nil {
		tc := c.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = c.Host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if c.Username == "" {
		return opts
	}
	opts = append(opts, gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	if c.Insecure {
		// go-mail's auto-discovery refuses PLAIN and LOGIN without TLS;
		// the operator chose a plain connection, so allow them, after the
		// mechanisms that never send the password itself.
		return append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
			gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
	}
	return append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
}
