// Package dnscheck tells whether a portal domain's DNS points at the
// operator's portal host: a CNAME, possibly through a chain of CNAMEs, that
// reaches it. It asks a recursive resolver directly (the system's, or one
// given with --dns-resolver) one record at a time, so it can walk the chain
// itself and tell "no record", "an A record" and "a CNAME elsewhere" apart,
// which net.Resolver's LookupCNAME folds together.
package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"portico/internal/portico"
)

// maxHops bounds the CNAME chain walked; resolvers give up around 8 too.
const maxHops = 8

// Result is the outcome of one check.
type Result struct {
	Status string // a portico.DNS* status; meaningless when Err is set
	Detail string // what was found and what to do, in words
	// Target is where the domain's own CNAME points ("" without one).
	Target string
	// Err is set when the resolver could not be asked or failed (timeout,
	// SERVFAIL): nothing is known about the domain then.
	Err error
}

// Checker runs checks against one set of resolvers.
type Checker struct {
	servers []string
	timeout time.Duration
}

// New returns a checker that asks resolver (host:port), or the system's
// resolvers from /etc/resolv.conf when resolver is "".
func New(resolver string) (*Checker, error) {
	c := &Checker{timeout: 4 * time.Second}
	if resolver != "" {
		if _, _, err := net.SplitHostPort(resolver); err != nil {
			return nil, fmt.Errorf("DNS resolver %q must be host:port, like 127.0.0.1:53", resolver)
		}
		c.servers = []string{resolver}
		return c, nil
	}
	conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(conf.Servers) == 0 {
		return nil, fmt.Errorf("no system DNS resolver (reading /etc/resolv.conf: %v); set --dns-resolver", err)
	}
	for _, s := range conf.Servers {
		c.servers = append(c.servers, net.JoinHostPort(s, conf.Port))
	}
	return c, nil
}

// Servers lists the resolvers asked, in order.
func (c *Checker) Servers() []string { return c.servers }

// Check looks at name's DNS and reports whether its CNAME leads to target.
func (c *Checker) Check(ctx context.Context, name, target string) Result {
	name, target = canonical(name), canonical(target)
	var chain []string
	seen := map[string]bool{name: true}
	cur := name
	for len(chain) < maxHops {
		next, err := c.cname(ctx, cur)
		if err != nil {
			return Result{Err: err, Detail: lookupFailed(name, err)}
		}
		if next == "" {
			break
		}
		chain = append(chain, next)
		if next == target {
			return Result{Status: portico.DNSVerified, Target: chain[0], Detail: verified(name, chain)}
		}
		if seen[next] {
			return Result{Status: portico.DNSPointsElsewhere, Target: chain[0],
				Detail: fmt.Sprintf("The CNAME of %s loops (%s). Point it at %s.", name, strings.Join(append([]string{name}, chain...), " → "), target)}
		}
		seen[next] = true
		cur = next
	}
	if len(chain) > 0 {
		return Result{Status: portico.DNSPointsElsewhere, Target: chain[0], Detail: elsewhere(name, target, chain)}
	}
	addrs, err := c.addresses(ctx, name)
	if err != nil {
		return Result{Err: err, Detail: lookupFailed(name, err)}
	}
	if len(addrs) > 0 {
		return Result{Status: portico.DNSWrongRecord, Detail: fmt.Sprintf(
			"%s has an address record (%s) instead of a CNAME. Portico supports only a CNAME: remove the A/AAAA record and create %s CNAME %s.",
			name, strings.Join(addrs, ", "), name, target)}
	}
	return Result{Status: portico.DNSMissing, Detail: fmt.Sprintf(
		"No CNAME record found for %s. Create %s CNAME %s at your DNS provider; changes can take a while to appear.",
		name, name, target)}
}

func verified(name string, chain []string) string {
	if len(chain) == 1 {
		return fmt.Sprintf("%s is a CNAME to %s.", name, chain[0])
	}
	return fmt.Sprintf("%s leads to %s through CNAMEs (%s).", name, chain[len(chain)-1], strings.Join(append([]string{name}, chain...), " → "))
}

func elsewhere(name, target string, chain []string) string {
	msg := fmt.Sprintf("%s is a CNAME to %s", name, chain[0])
	if len(chain) > 1 {
		msg += fmt.Sprintf(" (which leads to %s)", chain[len(chain)-1])
	}
	return msg + fmt.Sprintf(", not to %s. Change the CNAME to point at %s.", target, target)
}

func lookupFailed(name string, err error) string {
	return fmt.Sprintf("The DNS lookup of %s failed (%v); Portico will try again.", name, err)
}

// canonical is a name as compared here: lower case, no trailing dot.
func canonical(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
}

// cname returns the target of name's own CNAME record, or "".
func (c *Checker) cname(ctx context.Context, name string) (string, error) {
	r, err := c.ask(ctx, name, dns.TypeCNAME)
	if err != nil {
		return "", err
	}
	for _, rr := range r.Answer {
		if cn, ok := rr.(*dns.CNAME); ok && canonical(cn.Hdr.Name) == name {
			return canonical(cn.Target), nil
		}
	}
	return "", nil
}

// addresses returns name's A and AAAA records (an A record is what people
// most often create instead of the CNAME).
func (c *Checker) addresses(ctx context.Context, name string) ([]string, error) {
	var out []string
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		r, err := c.ask(ctx, name, t)
		if err != nil {
			return nil, err
		}
		for _, rr := range r.Answer {
			if canonical(rr.Header().Name) != name {
				continue
			}
			switch a := rr.(type) {
			case *dns.A:
				out = append(out, a.A.String())
			case *dns.AAAA:
				out = append(out, a.AAAA.String())
			}
		}
	}
	return out, nil
}

// errServer is a resolver failure that says nothing about the domain.
var errServer = errors.New("resolver failure")

// ask sends one recursive query, over UDP and again over TCP when the
// answer was truncated, trying each resolver in turn. NXDOMAIN and an
// empty answer are answers; SERVFAIL, REFUSED and timeouts are errors.
func (c *Checker) ask(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	var last error
	for _, server := range c.servers {
		r, err := c.exchange(ctx, m, server, "udp")
		if err == nil && r.Truncated {
			r, err = c.exchange(ctx, m, server, "tcp")
		}
		if err != nil {
			last = err
			continue
		}
		if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
			last = fmt.Errorf("%w: %s answered %s", errServer, server, dns.RcodeToString[r.Rcode])
			continue
		}
		return r, nil
	}
	return nil, last
}

// exchange sends one query. The client only honours a context's deadline,
// not its cancellation, so the caller stops waiting when ctx ends (at
// shutdown) and the query finishes on its own within the timeout.
func (c *Checker) exchange(ctx context.Context, m *dns.Msg, server, network string) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	type answer struct {
		r   *dns.Msg
		err error
	}
	done := make(chan answer, 1)
	go func() {
		cl := &dns.Client{Net: network, Timeout: c.timeout}
		r, _, err := cl.ExchangeContext(ctx, m, server)
		done <- answer{r, err}
	}()
	select {
	case a := <-done:
		return a.r, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
