package panel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"portico/internal/app"
	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
)

// Rate card pages: the list, the card's settings with its versions and a
// searchable list of its rates, the rate import and delete.

// maxRateUpload bounds an import form, as the API bounds its body.
const maxRateUpload = 64 << 20

// maxKeptUpload is the largest uploaded file whose text is put back into
// the paste box after a failed import, so the operator can fix it there;
// larger files must be chosen again.
const maxKeptUpload = 1 << 20

type rateCardList struct {
	Cards []*portico.RateCard
	pager
}

func (p *panel) handleRateCardList(w http.ResponseWriter, r *http.Request) error {
	cards, err := p.svc.DB.Read().FindRateCards(r.Context(), cursor(r, "after"), pageSize+1)
	if err != nil {
		return err
	}
	var data rateCardList
	data.Cards, data.pager = trimPage(r, cards, "after", func(c *portico.RateCard) int64 { return c.ID })
	return p.render(w, r, http.StatusOK, "ratecards", &view{Title: "Rate cards", Nav: "ratecards", Data: data})
}

// rateCardPage is the Data of a card's page: its settings form and, for a
// saved card, its versions and one version's rates.
type rateCardPage struct {
	Card       *portico.RateCard // nil when creating
	Action     string
	Directions []option
	Precisions []option
	Roundings  []option
	Versions   []*portico.RateCardVersion
	Choices    []option // versions to list rates of
	Version    int      // the version listed
	Rates      []portico.Rate
	pager
}

var directionOptions = []option{
	{Value: portico.DirectionTermination, Label: "Termination (calls the account sends)"},
	{Value: portico.DirectionOrigination, Label: "Origination (calls to the account's numbers)"},
}

func rateCardOptions(data *rateCardPage) {
	data.Directions = directionOptions
	data.Roundings = []option{
		{Value: portico.RoundHalfUp, Label: "Half up (ties away from zero)"},
		{Value: portico.RoundUp, Label: "Up (any fraction)"},
		{Value: portico.RoundDown, Label: "Down (drop the fraction)"},
	}
	for i := 0; i <= 6; i++ {
		data.Precisions = append(data.Precisions, option{Value: strconv.Itoa(i), Label: strconv.Itoa(i)})
	}
}

// showRateCard renders a card's page with form's values in its settings
// form; a non-nil failure re-renders it with the errors.
func (p *panel) showRateCard(w http.ResponseWriter, r *http.Request, c *portico.RateCard, form url.Values, failure error) error {
	data := rateCardPage{Card: c, Action: "/ratecards"}
	rateCardOptions(&data)
	title := "New rate card"
	if c != nil {
		title, data.Action = c.Name, fmt.Sprintf("/ratecards/%d", c.ID)
		if err := p.loadRates(r, c, &data, form); err != nil {
			return err
		}
	}
	v := &view{Title: title, Nav: "ratecards", Form: form, Data: data}
	if failure != nil {
		return p.formError(w, r, failure, "ratecard_form", v)
	}
	return p.render(w, r, http.StatusOK, "ratecard_form", v)
}

// loadRates fills in the card's versions and one page of the rates of the
// version asked for (the newest by default), searched by q: digits are a
// prefix, anything else part of the destination name. The search values
// go into form so the search box keeps them.
func (p *panel) loadRates(r *http.Request, c *portico.RateCard, data *rateCardPage, form url.Values) error {
	read := p.svc.DB.Read()
	var err error
	if data.Versions, err = read.FindRateCardVersions(r.Context(), c.ID); err != nil || len(data.Versions) == 0 {
		return err
	}
	q := r.URL.Query()
	data.Version = data.Versions[0].Version
	for _, v := range data.Versions {
		if strconv.Itoa(v.Version) == q.Get("version") {
			data.Version = v.Version
		}
		data.Choices = append(data.Choices, option{Value: strconv.Itoa(v.Version),
			Label: fmt.Sprintf("Version %d: %d rows, %s", v.Version, v.Rows, when(v.CreatedAt))})
	}
	search := strings.TrimSpace(q.Get("q"))
	form.Set("q", search)
	form.Set("version", strconv.Itoa(data.Version))
	f := store.RateFilter{CardID: c.ID, Version: data.Version, After: cursor(r, "after"), Limit: pageSize + 1}
	if digits := strings.TrimPrefix(search, "+"); digits != "" && strings.Trim(digits, "0123456789") == "" {
		f.Prefix = digits
	} else {
		f.Name = search
	}
	rates, err := read.FindRates(r.Context(), f)
	if err != nil {
		return err
	}
	data.Rates, data.pager = trimPage(r, rates, "after", func(r portico.Rate) int64 { return r.ID })
	return nil
}

// rateCardChoices are the options of the account form's rate card select.
func rateCardChoices(ctx context.Context, read *store.Q) ([]option, error) {
	cards, err := read.FindRateCards(ctx, 0, app.MaxPageSize)
	if err != nil {
		return nil, err
	}
	opts := []option{{Value: "", Label: "None (calls stay unrated)"}}
	for _, c := range cards {
		opts = append(opts, option{Value: strconv.FormatInt(c.ID, 10), Label: fmt.Sprintf("%s (%s, %s)", c.Name, c.Currency, c.Direction)})
	}
	return opts, nil
}

// rateCardValues fills the settings form from a saved card.
func rateCardValues(c *portico.RateCard) url.Values {
	return url.Values{"name": {c.Name}, "currency": {c.Currency}, "direction": {c.Direction},
		"precision": {strconv.Itoa(c.Precision)}, "rounding": {c.Rounding}}
}

func readRateCardForm(f url.Values) (*portico.RateCard, error) {
	fe := portico.FieldErrors{}
	c := &portico.RateCard{Name: f.Get("name"), Currency: f.Get("currency"), Direction: f.Get("direction"),
		Precision: portico.DefaultPrecision, Rounding: f.Get("rounding")}
	// Precision 0 is a real choice, so only a missing field means the default.
	if f.Has("precision") {
		c.Precision = integer(fe, f, "precision", "Precision")
	}
	if len(fe) > 0 {
		return nil, invalid(fe, c)
	}
	return c, nil
}

func (p *panel) handleRateCardNew(w http.ResponseWriter, r *http.Request) error {
	return p.showRateCard(w, r, nil, rateCardValues(portico.NewRateCard("", p.svc.DefaultCurrency)), nil)
}

func (p *panel) handleRateCardCreate(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	c, err := readRateCardForm(r.PostForm)
	if err == nil {
		err = p.svc.CreateRateCard(r.Context(), actor(r), c)
	}
	if err != nil {
		return p.showRateCard(w, r, nil, r.PostForm, err)
	}
	return seeOther(w, r, fmt.Sprintf("/ratecards/%d", c.ID), "created")
}

func (p *panel) findRateCard(r *http.Request) (*portico.RateCard, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return p.svc.DB.Read().FindRateCardByID(r.Context(), id)
}

func (p *panel) handleRateCardView(w http.ResponseWriter, r *http.Request) error {
	c, err := p.findRateCard(r)
	if err != nil {
		return err
	}
	return p.showRateCard(w, r, c, rateCardValues(c), nil)
}

func (p *panel) handleRateCardUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := p.findRateCard(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	c, err := readRateCardForm(r.PostForm)
	if err == nil {
		c.ID = old.ID
		err = p.svc.UpdateRateCard(r.Context(), actor(r), c)
	}
	if err != nil {
		return p.showRateCard(w, r, old, r.PostForm, err)
	}
	return seeOther(w, r, fmt.Sprintf("/ratecards/%d", c.ID), "saved")
}

func (p *panel) handleRateCardDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	c, err := p.findRateCard(r)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "confirm", rateCardDeleteView(c))
}

func rateCardDeleteView(c *portico.RateCard) *view {
	return &view{Title: "Delete " + c.Name, Nav: "ratecards", Data: confirmPage{
		Question: fmt.Sprintf("Delete the rate card %s and all its versions?", c.Name),
		Detail:   "Calls already rated keep their rates and charges. A card that accounts use cannot be deleted.",
		Action:   fmt.Sprintf("/ratecards/%d/delete", c.ID), Button: "Delete rate card", Cancel: fmt.Sprintf("/ratecards/%d", c.ID),
	}}
}

func (p *panel) handleRateCardDelete(w http.ResponseWriter, r *http.Request) error {
	c, err := p.findRateCard(r)
	if err != nil {
		return err
	}
	if err := p.svc.DeleteRateCard(r.Context(), actor(r), c.ID); err != nil {
		return p.formError(w, r, err, "confirm", rateCardDeleteView(c))
	}
	return seeOther(w, r, "/ratecards", "deleted")
}

// rateImportPage is the Data of the import form.
type rateImportPage struct {
	Card     *portico.RateCard
	Header   string
	Unit     string // "Line" or "Row": what Problems count
	Problems []portico.LineError
	// File is the name of the uploaded file whose text was put back into
	// the paste box; TooBig says it was too large to put back.
	File   string
	TooBig bool
}

func (p *panel) showRateImport(w http.ResponseWriter, r *http.Request, c *portico.RateCard, form url.Values, data rateImportPage, failure error) error {
	data.Card, data.Header = c, billing.RatesHeader
	v := &view{Title: "Import rates into " + c.Name, Nav: "ratecards", Form: form, Data: data}
	if failure == nil {
		return p.render(w, r, http.StatusOK, "ratecard_import", v)
	}
	// Problems by line are listed in their own table, in line order; the
	// generic field summary would sort them as text and link nowhere.
	if le, ok := errors.AsType[*portico.LineErrors](failure); ok {
		data.Unit, data.Problems = "Line", le.Lines
		if le.Unit == "row" {
			data.Unit = "Row"
		}
		v.Data, v.Error = data, le.Summary()
		return p.render(w, r, http.StatusUnprocessableEntity, "ratecard_import", v)
	}
	return p.formError(w, r, failure, "ratecard_import", v)
}

func (p *panel) handleRateImportForm(w http.ResponseWriter, r *http.Request) error {
	c, err := p.findRateCard(r)
	if err != nil {
		return err
	}
	return p.showRateImport(w, r, c, url.Values{}, rateImportPage{}, nil)
}

// handleRateImport loads an uploaded or pasted CSV as the card's next
// version through app.ImportRates: a deck with any bad line loads nothing,
// and the page lists every problem with its line number and keeps the
// text so it can be fixed in place.
func (p *panel) handleRateImport(w http.ResponseWriter, r *http.Request) error {
	c, err := p.findRateCard(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRateUpload)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		msg := "The form could not be read; please try again."
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			msg = fmt.Sprintf("The upload is larger than %d MiB; split it into several files.", maxRateUpload>>20)
		}
		return p.showRateImport(w, r, c, url.Values{}, rateImportPage{}, portico.Errorf(portico.EINVALID, "%s", msg))
	}
	form := url.Values{"csv": {r.PostFormValue("csv")}, "effective_date": {r.PostFormValue("effective_date")}}
	var data rateImportPage
	fe := portico.FieldErrors{}
	opts := billing.RatesOptions{}
	if s := strings.TrimSpace(form.Get("effective_date")); s != "" {
		if opts.Effective, err = portico.ParseDate(s); err != nil {
			fe.Add("effective_date", "Effective date "+err.Error()+".")
		}
	}
	file, name, err := uploadedFile(r, "file")
	if err != nil {
		return err
	}
	var deck io.Reader
	switch {
	case file != nil:
		defer file.Close()
		deck = file
	case strings.TrimSpace(form.Get("csv")) != "":
		deck, name = strings.NewReader(form.Get("csv")), "pasted text"
	default:
		fe.Add("file", "Choose a CSV file or paste the rates into the box.")
	}
	if err := fe.Err(); err != nil {
		return p.showRateImport(w, r, c, form, data, err)
	}
	_, created, err := p.svc.ImportRates(r.Context(), actor(r), c.ID, deck, opts, name)
	if err != nil {
		if file != nil {
			data.File, data.TooBig = name, !keepUpload(file, form)
		}
		return p.showRateImport(w, r, c, form, data, err)
	}
	flash := "rates_unchanged"
	if created {
		flash = "rates_loaded"
	}
	return seeOther(w, r, fmt.Sprintf("/ratecards/%d", c.ID), flash)
}

// uploadedFile returns the file chosen in the field, or nil when none was:
// browsers send an empty part without a name then.
func uploadedFile(r *http.Request, field string) (multipart.File, string, error) {
	file, h, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if h.Filename == "" && h.Size == 0 {
		file.Close()
		return nil, "", nil
	}
	return file, filepath.Base(h.Filename), nil
}

// keepUpload puts a failed upload's text into the paste box, so the
// operator can correct the lines named without editing the file; it
// reports false when the file is too large to show.
func keepUpload(file multipart.File, form url.Values) bool {
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(file, maxKeptUpload+1))
	if err != nil || len(b) > maxKeptUpload {
		return false
	}
	form.Set("csv", string(b))
	return true
}
