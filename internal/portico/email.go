package portico

import "time"

// Email statuses in the outbox.
const (
	EmailQueued = "queued"
	EmailSent   = "sent"
	EmailFailed = "failed" // gave up after the last retry
)

// SecretPlaceholder stands in an email body where a secret (a generated
// password) goes. The secret itself is kept encrypted beside the message and
// substituted only when the message is handed to the SMTP server.
const SecretPlaceholder = "{{secret}}"

// Email is a message in the durable outbox.
type Email struct {
	ID       int64
	DomainID *int64 // brand whose SMTP and look the message uses; nil = operator
	Brand    string // brand name at queue time, for the log
	Kind     string // welcome, approved, rejected, ...
	To       string
	Subject  string
	Text     string
	HTML     string
	// Secret is the plaintext secret to substitute for SecretPlaceholder.
	// It is set when queueing and never read back from the store.
	Secret        string
	HasSecret     bool
	Status        string
	Attempts      int
	LastError     string
	NextAttemptAt time.Time
	CreatedAt     time.Time
	SentAt        *time.Time
}

// EmailFilter selects emails for the log.
type EmailFilter struct {
	Before int64 // keyset cursor: ids less than this (newest first)
	Limit  int
}
