package panel

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portico/internal/portico"
)

// kindInfo is what differs between the customer and carrier pages; one
// implementation serves both.
type kindInfo struct {
	Kind     portico.AccountKind
	Path     string // "/customers"
	Singular string // "Customer"
	Plural   string // "Customers"
}

// Nav names the navigation entry of the kind's pages.
func (k kindInfo) Nav() string { return strings.TrimPrefix(k.Path, "/") }

var kinds = []kindInfo{
	{Kind: portico.KindCustomer, Path: "/customers", Singular: "Customer", Plural: "Customers"},
	{Kind: portico.KindCarrier, Path: "/carriers", Singular: "Carrier", Plural: "Carriers"},
}

func kindOf(k portico.AccountKind) kindInfo {
	if k == portico.KindCarrier {
		return kinds[1]
	}
	return kinds[0]
}

// accountPages serves the pages of one kind of account.
type accountPages struct {
	*panel
	kindInfo
}

type accountList struct {
	kindInfo
	Accounts []*portico.Account
	Domains  map[int64]string        // id → domain name
	Balances map[int64]portico.Money // id → balance
	Statuses []option
	pager
}

// Available is what a listed account may still spend: its balance plus
// its credit limit. Below zero it is over its limit.
func (l accountList) Available(a *portico.Account) portico.Money {
	return l.Balances[a.ID] + a.CreditLimit
}

// DomainOf names the portal domain of a listed account, or "—".
func (l accountList) DomainOf(a *portico.Account) string {
	if a.DomainID == nil {
		return "—"
	}
	return l.Domains[*a.DomainID]
}

func (a accountPages) handleList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := portico.AccountFilter{Kind: a.Kind, Status: q.Get("status"), Search: strings.TrimSpace(q.Get("q")),
		After: cursor(r, "after"), Limit: pageSize + 1}
	if _, ok := portico.StatusLabels[f.Status]; !ok {
		f.Status = ""
	}
	read := a.svc.DB.Read()
	accs, err := read.FindAccounts(r.Context(), f)
	if err != nil {
		return err
	}
	domains, err := read.AllDomains(r.Context())
	if err != nil {
		return err
	}
	data := accountList{kindInfo: a.kindInfo, Domains: map[int64]string{},
		Statuses: append([]option{{Value: "", Label: "All statuses"}}, statusOptions()...)}
	for _, d := range domains {
		data.Domains[d.ID] = d.Domain
	}
	data.Accounts, data.pager = trimPage(r, accs, "after", func(a *portico.Account) int64 { return a.ID })
	// A page's balances: one sum each over the account's ledger, by the
	// covering index (ledger_account), tens of entries per account.
	data.Balances = make(map[int64]portico.Money, len(data.Accounts))
	for _, acc := range data.Accounts {
		if data.Balances[acc.ID], err = read.ForAccount(acc.ID).Balance(r.Context()); err != nil {
			return err
		}
	}
	return a.render(w, r, http.StatusOK, "accounts", &view{Title: a.Plural, Nav: a.Nav(),
		Form: url.Values{"q": {f.Search}, "status": {f.Status}}, Data: data})
}

func statusOptions() []option {
	var opts []option
	for _, s := range portico.AccountStatuses {
		opts = append(opts, option{Value: s, Label: portico.StatusLabels[s]})
	}
	return opts
}

// accountPage is the Data of an account's page: its form, and for a saved
// account its contacts and actions.
type accountPage struct {
	kindInfo
	Account   *portico.Account // nil when creating
	Action    string
	Statuses  []option
	Domains   []option
	RateCards []option
	Access    []accessChoice
	Contacts  []*portico.Contact
	Billing   *accountBilling // nil when creating
}

// accessChoice is one section's override select.
type accessChoice struct {
	Name, Label string
	Options     []option
}

func (a accountPages) showForm(w http.ResponseWriter, r *http.Request, acc *portico.Account, form url.Values, failure error) error {
	read := a.svc.DB.Read()
	data := accountPage{kindInfo: a.kindInfo, Account: acc, Action: a.Path, Statuses: statusOptions(),
		Domains: []option{{Value: "", Label: "None (no portal login)"}}}
	title := "New " + strings.ToLower(a.Singular)
	if acc != nil {
		title, data.Action = acc.Name, fmt.Sprintf("%s/%d", a.Path, acc.ID)
		var err error
		if data.Contacts, err = read.FindContactsByAccount(r.Context(), acc.ID, 0, 500); err != nil {
			return err
		}
		if data.Billing, err = a.loadBilling(r, acc); err != nil {
			return err
		}
	}
	domains, err := read.AllDomains(r.Context())
	if err != nil {
		return err
	}
	for _, d := range domains {
		data.Domains = append(data.Domains, option{Value: strconv.FormatInt(d.ID, 10), Label: d.Domain + " (" + d.BrandName + ")"})
	}
	if data.RateCards, err = rateCardChoices(r.Context(), read); err != nil {
		return err
	}
	for _, s := range portico.Sections {
		data.Access = append(data.Access, accessChoice{Name: "access_" + string(s), Label: portico.SectionLabels[s],
			Options: []option{{Value: "", Label: "Inherit"}, {Value: "show", Label: "Show"}, {Value: "hide", Label: "Hide"}}})
	}
	v := &view{Title: title, Nav: a.Nav(), Form: form, Data: data}
	if failure != nil {
		return a.formError(w, r, failure, "account_form", v)
	}
	return a.render(w, r, http.StatusOK, "account_form", v)
}

// accountValues fills the form from a saved account.
func accountValues(acc *portico.Account) url.Values {
	f := url.Values{
		"name":         {acc.Name},
		"status":       {acc.Status},
		"currency":     {acc.Currency},
		"credit_limit": {acc.CreditLimit.String()},
		"domain_id":    {idString(acc.DomainID)},
		"ratecard_id":  {idString(acc.RateCardID)},
		"tax_id":       {acc.TaxID},
		"tax_percent":  {acc.TaxPercent.String()},
		"notes":        {acc.Notes},
	}
	for s, show := range acc.AccessOverrides {
		if show {
			f.Set("access_"+string(s), "show")
		} else {
			f.Set("access_"+string(s), "hide")
		}
	}
	return f
}

func (a accountPages) readForm(f url.Values) (*portico.Account, error) {
	fe := portico.FieldErrors{}
	acc := &portico.Account{
		Kind:            a.Kind,
		Name:            f.Get("name"),
		Status:          f.Get("status"),
		Currency:        f.Get("currency"),
		CreditLimit:     money(fe, f, "credit_limit", "Credit limit"),
		DomainID:        optionalID(fe, f, "domain_id", "Portal domain"),
		RateCardID:      optionalID(fe, f, "ratecard_id", "Rate card"),
		AccessOverrides: map[portico.Section]bool{},
		TaxID:           f.Get("tax_id"),
		TaxPercent:      money(fe, f, "tax_percent", "Tax percent"),
		Notes:           f.Get("notes"),
	}
	for _, s := range portico.Sections {
		switch f.Get("access_" + string(s)) {
		case "show":
			acc.AccessOverrides[s] = true
		case "hide":
			acc.AccessOverrides[s] = false
		case "":
		default:
			fe.Add("access_overrides", "Each access override must be inherit, show or hide.")
		}
	}
	if len(fe) > 0 {
		return nil, invalid(fe, acc)
	}
	return acc, nil
}

func (a accountPages) handleNew(w http.ResponseWriter, r *http.Request) error {
	f := url.Values{"status": {portico.StatusActive}, "currency": {a.svc.DefaultCurrency}, "credit_limit": {"0.00"}, "tax_percent": {"0.00"}}
	return a.showForm(w, r, nil, f, nil)
}

func (a accountPages) handleCreate(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	acc, err := a.readForm(r.PostForm)
	if err == nil {
		err = a.svc.CreateAccount(r.Context(), actor(r), acc)
	}
	if err != nil {
		return a.showForm(w, r, nil, r.PostForm, err)
	}
	return seeOther(w, r, fmt.Sprintf("%s/%d", a.Path, acc.ID), "created")
}

func (a accountPages) find(r *http.Request) (*portico.Account, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return a.svc.FindAccount(r.Context(), a.Kind, id)
}

func (a accountPages) handleView(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.find(r)
	if err != nil {
		return err
	}
	return a.showForm(w, r, acc, accountValues(acc), nil)
}

func (a accountPages) handleUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := a.find(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	acc, err := a.readForm(r.PostForm)
	if err == nil {
		acc.ID = old.ID
		err = a.svc.UpdateAccountAndRateCard(r.Context(), actor(r), acc)
	}
	if err != nil {
		return a.showForm(w, r, old, r.PostForm, err)
	}
	return seeOther(w, r, fmt.Sprintf("%s/%d", a.Path, acc.ID), "saved")
}

func (a accountPages) handleDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.find(r)
	if err != nil {
		return err
	}
	return a.render(w, r, http.StatusOK, "confirm", &view{Title: "Delete " + acc.Name, Nav: a.Nav(), Data: confirmPage{
		Question: fmt.Sprintf("Delete the %s %s and its contacts?", strings.ToLower(a.Singular), acc.Name),
		Detail:   "If it has history (portal logins, money or calls) it is archived instead, and its history is kept.",
		Action:   fmt.Sprintf("%s/%d/delete", a.Path, acc.ID), Button: "Delete " + strings.ToLower(a.Singular),
		Cancel: fmt.Sprintf("%s/%d", a.Path, acc.ID),
	}})
}

func (a accountPages) handleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	archived, err := a.svc.DeleteAccount(r.Context(), actor(r), a.Kind, id)
	if err != nil {
		return err
	}
	if archived {
		return seeOther(w, r, fmt.Sprintf("%s/%d", a.Path, id), "archived")
	}
	return seeOther(w, r, a.Path, "deleted")
}

func (a accountPages) handleApprove(w http.ResponseWriter, r *http.Request) error {
	return a.decide(w, r, "approved")
}

func (a accountPages) handleReject(w http.ResponseWriter, r *http.Request) error {
	return a.decide(w, r, "rejected")
}

// decide approves or rejects a pending account, then returns to the page
// the button was on (the pending list or the account).
func (a accountPages) decide(w http.ResponseWriter, r *http.Request, outcome string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if outcome == "approved" {
		_, err = a.svc.ApproveAccount(r.Context(), actor(r), a.Kind, id)
	} else {
		_, err = a.svc.RejectAccount(r.Context(), actor(r), a.Kind, id)
	}
	if err != nil {
		return err
	}
	back := fmt.Sprintf("%s/%d", a.Path, id)
	if next := r.PostFormValue("next"); next != "" {
		back = safeNext(next)
	}
	return seeOther(w, r, back, outcome)
}
