package panel

import (
	"net/http"

	"portico/internal/portico"
)

// pendingCount counts customers and carriers awaiting approval (the nav
// badge on every page).
func (p *panel) pendingCount(r *http.Request) (int, error) {
	total := 0
	for _, k := range kinds {
		n, err := p.svc.DB.Read().CountAccountsByStatus(r.Context(), k.Kind, portico.StatusPendingApproval)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// statusCount is one cell of the dashboard: how many accounts of a kind
// have a status, linking to that filtered list.
type statusCount struct {
	Status, Label, Link string
	Count               int
}

type kindSummary struct {
	kindInfo
	Total    int
	Statuses []statusCount
}

type dashboardPage struct {
	Domains int
	Kinds   []kindSummary
}

func (p *panel) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	q := p.svc.DB.Read()
	domains, err := q.AllDomains(r.Context())
	if err != nil {
		return err
	}
	data := dashboardPage{Domains: len(domains)}
	for _, k := range kinds {
		s := kindSummary{kindInfo: k}
		for _, st := range portico.AccountStatuses {
			n, err := q.CountAccountsByStatus(r.Context(), k.Kind, st)
			if err != nil {
				return err
			}
			s.Total += n
			s.Statuses = append(s.Statuses, statusCount{Status: st, Label: portico.StatusLabels[st], Count: n,
				Link: k.Path + "?status=" + st})
		}
		data.Kinds = append(data.Kinds, s)
	}
	return p.render(w, r, http.StatusOK, "dashboard", &view{Title: "Dashboard", Nav: "dashboard", Data: data})
}

// pendingPage lists what awaits approval, a section per kind.
type pendingPage struct {
	Kinds []pendingKind
}

type pendingKind struct {
	kindInfo
	Accounts []*portico.Account
	More     bool // more than fit on the page: link to the filtered list
}

const pendingShown = 100

func (p *panel) handlePending(w http.ResponseWriter, r *http.Request) error {
	var data pendingPage
	for _, k := range kinds {
		accs, err := p.svc.DB.Read().FindAccounts(r.Context(), portico.AccountFilter{Kind: k.Kind,
			Status: portico.StatusPendingApproval, Limit: pendingShown + 1})
		if err != nil {
			return err
		}
		pk := pendingKind{kindInfo: k, Accounts: accs, More: len(accs) > pendingShown}
		if pk.More {
			pk.Accounts = accs[:pendingShown]
		}
		data.Kinds = append(data.Kinds, pk)
	}
	return p.render(w, r, http.StatusOK, "pending", &view{Title: "Pending approval", Nav: "pending", Data: data})
}
