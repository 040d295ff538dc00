// Package smtptest runs a real SMTP server on 127.0.0.1 for tests: it
// records every message it accepts, decoded, and can be told to fail the
// next transactions to exercise retries.
package smtptest

import (
	"io"
	"log"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is a running test SMTP server. It speaks plain SMTP (no TLS), so
// clients must be configured as insecure.
type Server struct {
	srv      *smtp.Server
	addr     *net.TCPAddr
	username string // required AUTH PLAIN credentials, when set
	password string

	mu       sync.Mutex
	messages []Message
	taken    []bool        // messages already returned by WaitFor
	changed  chan struct{} // closed and replaced when a message arrives
	failNext int
}

// Option configures a Server.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN with exactly these
// credentials. Without it AUTH is optional and any credentials pass.
func WithAuth(username, password string) Option {
	return func(s *Server) { s.username, s.password = username, password }
}

// Start starts a server on 127.0.0.1 on a free port; it is closed when the
// test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = ln.Addr().(*net.TCPAddr)
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.MaxMessageBytes = 10 << 20
	// The server logs only client misbehaviour, which tests assert on
	// through the client; writing to t after the test ends would panic.
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		s.srv.Close()
		<-done
	})
	return s
}

// Addr is the server's address, 127.0.0.1:port.
func (s *Server) Addr() string { return s.addr.String() }

// Host is the address the server listens on, 127.0.0.1.
func (s *Server) Host() string { return s.addr.IP.String() }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.addr.Port }

// URL is an SMTP URL for the server in the form the mail package's
// ParseSMTPURL reads: smtp://[user:password@]127.0.0.1:port?insecure=true,
// with the credentials given to WithAuth, if any.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr(), RawQuery: "insecure=true"}
	if s.username != "" {
		u.User = url.UserPassword(s.username, s.password)
	}
	return u.String()
}

// FailNext makes the next n transactions fail at MAIL FROM with a
// temporary error (451).
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Messages returns every message received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// WaitFor waits for a message to the given recipient and fails the test if
// none arrives within timeout. Each call returns the oldest such message
// that no earlier WaitFor returned, so a test can wait for a second mail to
// the same address.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for i, m := range s.messages {
			if !s.taken[i] && slices.ContainsFunc(m.To, func(r string) bool { return strings.EqualFold(r, to) }) {
				s.taken[i] = true
				s.mu.Unlock()
				return m
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("smtptest: no message to %s within %v (received %d in all)", to, timeout, len(s.Messages()))
			return Message{}
		}
	}
}

// takeFailure reports whether the current transaction must fail.
func (s *Server) takeFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return true
	}
	return false
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	s.taken = append(s.taken, false)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one SMTP connection.
type session struct {
	s        *Server
	authUser string
	from     string
	to       []string
}

var errTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message: "smtptest: temporary failure (FailNext)"}

// AuthMechanisms offers AUTH PLAIN.
func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth checks PLAIN credentials against WithAuth's, or accepts any.
func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if ss.s.username != "" && (username != ss.s.username || password != ss.s.password) {
			return smtp.ErrAuthFailed
		}
		ss.authUser = username
		return nil
	}), nil
}

// Mail starts a transaction.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.username != "" && ss.authUser == "" {
		return smtp.ErrAuthRequired
	}
	if ss.s.takeFailure() {
		return errTemporary
	}
	ss.from = from
	return nil
}

// Rcpt adds a recipient.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

// Data receives and records the message.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message: "smtptest: cannot parse message: " + err.Error()}
	}
	m.From, m.To, m.AuthUser = ss.from, slices.Clone(ss.to), ss.authUser
	ss.s.record(m)
	return nil
}

// Reset ends a transaction.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout ends the connection.
func (ss *session) Logout() error { return nil }
