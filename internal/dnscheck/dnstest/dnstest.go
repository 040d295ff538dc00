// Package dnstest runs a DNS server on loopback for tests, answering on UDP
// and TCP from a zone the test edits as it goes. It answers like a
// recursive resolver would for names inside the zone: a query for an
// address follows CNAMEs and returns the chain with the addresses at its
// end, so Go's resolver, Pebble's validation and the portal's own check
// all see what they would see on the internet.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server is a running test DNS server.
type Server struct {
	// Addr is host:port, the same port on UDP and TCP.
	Addr    string
	mu      sync.Mutex
	records map[string][]dns.RR // by canonical owner name (lower case, trailing dot)
	servers []*dns.Server
}

// Start runs a server on 127.0.0.1 and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{records: map[string][]dns.RR{}}
	var udp net.PacketConn
	var tcp net.Listener
	// UDP and TCP must share a port; try a few until a free pair is found.
	for i := 0; i < 20 && tcp == nil; i++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("dnstest: %v", err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			continue
		}
		udp, tcp = pc, ln
	}
	if tcp == nil {
		t.Fatal("dnstest: no port free on both UDP and TCP")
	}
	s.Addr = tcp.Addr().String()
	h := dns.HandlerFunc(s.serve)
	s.servers = []*dns.Server{{PacketConn: udp, Handler: h}, {Listener: tcp, Handler: h}}
	for _, srv := range s.servers {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe()
		<-started
	}
	t.Cleanup(func() {
		for _, srv := range s.servers {
			srv.Shutdown()
		}
	})
	return s
}

func fqdn(name string) string { return dns.Fqdn(strings.ToLower(strings.TrimSuffix(name, "."))) }

// SetA replaces every record of name with A records for the addresses.
func (s *Server) SetA(name string, ips ...string) {
	var rrs []dns.RR
	for _, ip := range ips {
		rrs = append(rrs, &dns.A{Hdr: dns.RR_Header{Name: fqdn(name), Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(ip).To4()})
	}
	s.set(name, rrs)
}

// SetCNAME replaces every record of name with a CNAME to target.
func (s *Server) SetCNAME(name, target string) {
	s.set(name, []dns.RR{&dns.CNAME{Hdr: dns.RR_Header{Name: fqdn(name), Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: fqdn(target)}})
}

// Remove deletes every record of name.
func (s *Server) Remove(name string) { s.set(name, nil) }

func (s *Server) set(name string, rrs []dns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rrs == nil {
		delete(s.records, fqdn(name))
		return
	}
	s.records[fqdn(name)] = rrs
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative, m.RecursionAvailable = true, true
	if len(req.Question) == 1 {
		q := req.Question[0]
		m.Answer, m.Rcode = s.answer(strings.ToLower(q.Name), q.Qtype)
	}
	w.WriteMsg(m)
}

// answer returns the records for a question, following CNAMEs unless the
// question is for the CNAME itself.
func (s *Server) answer(name string, qtype uint16) ([]dns.RR, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []dns.RR
	for hops := 0; hops < 10; hops++ {
		rrs, ok := s.records[name]
		if !ok {
			if hops == 0 {
				return nil, dns.RcodeNameError
			}
			return out, dns.RcodeSuccess
		}
		var next string
		for _, rr := range rrs {
			switch {
			case rr.Header().Rrtype == qtype:
				out = append(out, dns.Copy(rr))
			case rr.Header().Rrtype == dns.TypeCNAME:
				out = append(out, dns.Copy(rr))
				next = rr.(*dns.CNAME).Target
			}
		}
		if next == "" || qtype == dns.TypeCNAME {
			return out, dns.RcodeSuccess
		}
		name = next
	}
	return out, dns.RcodeServerFailure
}
