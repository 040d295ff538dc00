package app

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"

	"portico/internal/billing"
	"portico/internal/portico"
)

// IMESchemaVersion is the Interconnect Made Easy specification version the
// JSON export follows.
const IMESchemaVersion = "1.0.0"

// DefaultSIPPort is the port named in exports when the operator's SIP
// endpoint gives none.
const DefaultSIPPort = 5060

// IMEDocument is a rate card in the Interconnect Made Easy format
// (https://github.com/connexcs/interconnect-made-easy, schema v1.0.0).
type IMEDocument struct {
	Name          string                 `json:"name"`
	Description   string                 `json:"description,omitempty"`
	Version       string                 `json:"version"`
	SchemaVersion string                 `json:"schema_version"`
	Author        string                 `json:"author,omitempty"`
	Date          string                 `json:"date"`
	Timezone      string                 `json:"timezone"`
	Endpoints     map[string]IMEEndpoint `json:"endpoints"`
	Cards         map[string]IMECard     `json:"cards"`
}

// IMEEndpoint is where the card's traffic is sent.
type IMEEndpoint struct {
	Protocol  string `json:"protocol"`
	Transport string `json:"transport"`
	Host      string `json:"host"`
	Port      int    `json:"port"`
}

// IMECard is one card of the document.
type IMECard struct {
	Name        string      `json:"name"`
	Type        string      `json:"type"`      // our direction: termination or origination
	Direction   string      `json:"direction"` // outbound (termination) or inbound (origination)
	TrafficType string      `json:"traffic_type"`
	Currency    string      `json:"currency"`
	Endpoint    string      `json:"endpoint"`
	Fields      []IMEField  `json:"fields"`
	Charge      IMERounding `json:"charge"`
	Rates       [][]any     `json:"rates"`
}

// IMEField names a column of Rates.
type IMEField struct {
	Name string `json:"name"`
}

// IMERounding is the card's charge precision and rounding.
type IMERounding struct {
	Precision int    `json:"precision"`
	Rounding  string `json:"rounding"`
}

var imeFields = []IMEField{{"prefix"}, {"name"}, {"rate"}, {"connection_fee"}, {"initial_interval"},
	{"billing_interval"}, {"effective_date"}}

// imeNumber writes money as a JSON number with no float on the way: the
// decimal text itself ("0.0125").
func imeNumber(m portico.Money) json.Number {
	s := string(billing.AppendMoney(nil, m))
	s = strings.TrimRight(s, "0")
	return json.Number(strings.TrimSuffix(s, "."))
}

// sipEndpoint is the operator's SIP endpoint for exports: --sip-endpoint
// (host or host:port), else the brand's own domain, on port 5060.
func (s *Service) sipEndpoint(brand *portico.Domain) IMEEndpoint {
	e := IMEEndpoint{Protocol: "sip", Transport: "udp", Host: brand.Domain, Port: DefaultSIPPort}
	if ep := strings.TrimSpace(s.SIPEndpoint); ep != "" {
		e.Host = ep
		if h, p, err := net.SplitHostPort(ep); err == nil {
			if n, err := strconv.Atoi(p); err == nil && n > 0 && n < 65536 {
				e.Host, e.Port = h, n
			}
		}
	}
	return e
}

// PortalRatesIME returns the account's current rates (matching search) as
// an Interconnect Made Easy document. Upcoming changes are rows too, with
// their own effective dates.
func (s *Service) PortalRatesIME(ctx context.Context, u *PortalUser, search string) (*IMEDocument, error) {
	x, err := s.PortalRatesExport(ctx, u, search)
	if err != nil {
		return nil, err
	}
	doc := &IMEDocument{Name: u.brand.BrandName + " rates for " + u.account.Name, Version: "1.0",
		SchemaVersion: IMESchemaVersion, Author: u.brand.BrandName, Timezone: "UTC",
		Date:      s.DB.Read().Now().Format(portico.DateLayout),
		Endpoints: map[string]IMEEndpoint{"default": s.sipEndpoint(u.brand)}, Cards: map[string]IMECard{}}
	if x.Card == nil {
		// The schema wants at least one card: an empty one says "no rates".
		doc.Cards["default"] = IMECard{Name: "No rate card", Type: portico.DirectionTermination, Direction: "outbound",
			TrafficType: "voice", Currency: u.account.Currency, Endpoint: "default", Fields: imeFields,
			Charge: IMERounding{Precision: portico.DefaultPrecision, Rounding: portico.RoundHalfUp}, Rates: [][]any{}}
		return doc, nil
	}
	c := x.Card
	dir := "outbound"
	if c.Direction == portico.DirectionOrigination {
		dir = "inbound"
	}
	card := IMECard{Name: c.Name, Type: c.Direction, Direction: dir, TrafficType: "voice", Currency: c.Currency,
		Endpoint: "default", Fields: imeFields, Charge: IMERounding{Precision: c.Precision, Rounding: c.Rounding},
		Rates: make([][]any, 0, len(x.Current)+len(x.Upcoming))}
	for _, rows := range [][]portico.Rate{x.Current, x.Upcoming} {
		for _, r := range rows {
			initial := max(r.MCD, r.Pulse)
			card.Rates = append(card.Rates, []any{r.Prefix, r.Name, imeNumber(r.Rate), imeNumber(r.ConnectionFee),
				initial, r.Pulse, r.Effective.Format(portico.DateLayout)})
		}
	}
	doc.Cards["default"] = card
	return doc, nil
}
