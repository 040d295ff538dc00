// Package mail renders Portico's emails and delivers the durable outbox over
// SMTP: per brand when the brand has its own server, else through the
// operator's, with retries and backoff. Generated passwords travel through
// the outbox encrypted and are put into a message only on its way to the
// SMTP server.
package mail
