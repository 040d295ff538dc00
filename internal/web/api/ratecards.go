package api

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"portico/internal/app"
	"portico/internal/billing"
	"portico/internal/portico"
	"portico/internal/store"
	"portico/internal/web/httpx"
)

// maxUpload bounds a CSV or CDR upload (a 100k-prefix deck is about 5 MB).
const maxUpload = 64 << 20

// rateCardView is a rate card in JSON, both ways.
type rateCardView struct {
	ID            int64     `json:"id" api:"readonly"`
	Name          string    `json:"name"`
	Currency      string    `json:"currency"`
	Direction     string    `json:"direction"`
	Precision     int       `json:"precision"`
	Rounding      string    `json:"rounding"`
	LatestVersion int       `json:"latest_version" api:"readonly"`
	CreatedAt     timestamp `json:"created_at" api:"readonly"`
	UpdatedAt     timestamp `json:"updated_at" api:"readonly"`
}

func newRateCardView(c *portico.RateCard) rateCardView {
	return rateCardView{ID: c.ID, Name: c.Name, Currency: c.Currency, Direction: c.Direction, Precision: c.Precision,
		Rounding: c.Rounding, LatestVersion: c.LatestVersion, CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt)}
}

func (v *rateCardView) applyTo(c *portico.RateCard) {
	c.Name, c.Currency, c.Direction, c.Precision, c.Rounding = v.Name, v.Currency, v.Direction, v.Precision, v.Rounding
}

// rateCardDetail is one card with its versions, newest first.
type rateCardDetail struct {
	rateCardView
	Versions []versionView `json:"versions"`
}

// versionView is one loaded version of a card.
type versionView struct {
	Version   int       `json:"version"`
	Rows      int       `json:"rows"`
	Checksum  string    `json:"checksum"`
	Source    string    `json:"source"`
	CreatedAt timestamp `json:"created_at"`
}

func newVersionView(v *portico.RateCardVersion) versionView {
	return versionView{Version: v.Version, Rows: v.Rows, Checksum: v.Checksum, Source: v.Source, CreatedAt: timestamp(v.CreatedAt)}
}

// rateView is one row of a card.
type rateView struct {
	Prefix        string        `json:"prefix"`
	Name          string        `json:"name"`
	Rate          portico.Money `json:"rate"`
	ConnectionFee portico.Money `json:"connection_fee"`
	MCD           int           `json:"mcd"`
	Pulse         int           `json:"pulse"`
	EffectiveDate string        `json:"effective_date"`
	Version       int           `json:"version"`
}

func newRateView(r portico.Rate) rateView {
	return rateView{Prefix: r.Prefix, Name: r.Name, Rate: r.Rate, ConnectionFee: r.ConnectionFee, MCD: r.MCD, Pulse: r.Pulse,
		EffectiveDate: r.Effective.Format(portico.DateLayout), Version: r.Version}
}

func (a *api) listRateCards(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	p, err := a.svc.ListRateCards(r.Context(), after, limit)
	if err != nil {
		return err
	}
	writeList(w, p, newRateCardView)
	return nil
}

// createRateCard takes name, currency (default: the operator's) and
// direction (default termination), and optionally precision (default 6)
// and rounding (default half_up). The card starts with no rows.
func (a *api) createRateCard(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	c := portico.NewRateCard("", "")
	v := newRateCardView(c)
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	v.applyTo(c)
	if err := a.svc.CreateRateCard(r.Context(), actor, c); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rateCardDetail{newRateCardView(c), []versionView{}})
	return nil
}

func (a *api) getRateCard(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, "Rate card")
	if err != nil {
		return err
	}
	return a.writeRateCard(w, r, http.StatusOK, id)
}

func (a *api) writeRateCard(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	c, versions, err := a.svc.FindRateCard(r.Context(), id)
	if err != nil {
		return err
	}
	d := rateCardDetail{newRateCardView(c), make([]versionView, 0, len(versions))}
	for _, v := range versions {
		d.Versions = append(d.Versions, newVersionView(v))
	}
	httpx.WriteJSON(w, status, d)
	return nil
}

func (a *api) updateRateCard(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Rate card")
	if err != nil {
		return err
	}
	c, _, err := a.svc.FindRateCard(r.Context(), id)
	if err != nil {
		return err
	}
	v := newRateCardView(c)
	if err := readInto(w, r, &v); err != nil {
		return err
	}
	v.applyTo(c)
	if err := a.svc.UpdateRateCard(r.Context(), actor, c); err != nil {
		return err
	}
	return a.writeRateCard(w, r, http.StatusOK, id)
}

func (a *api) deleteRateCard(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Rate card")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteRateCard(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// csvTypes are the Content-Types a deck upload may declare.
var csvTypes = map[string]bool{"text/csv": true, "application/csv": true, "text/plain": true}

// putRates loads the CSV body as the card's next version. Query
// parameters: effective_date (YYYY-MM-DD) for a file without that column,
// and map=field=Header,… for headers Portico does not recognise. It answers
// 201 with the new version, or 200 with created false when the rows are
// those of the newest version already. A file with any bad line loads
// nothing: 422 lists every problem by line.
func (a *api) putRates(w http.ResponseWriter, r *http.Request, actor app.Actor) error {
	id, err := pathID(r, "Rate card")
	if err != nil {
		return err
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); !csvTypes[ct] {
		return portico.FieldError("body", "Send the rate deck as the raw body with Content-Type text/csv (header "+billing.RatesHeader+").")
	}
	opts := billing.RatesOptions{}
	bad := portico.FieldErrors{}
	if s := r.URL.Query().Get("effective_date"); s != "" {
		if opts.Effective, err = portico.ParseDate(s); err != nil {
			bad.Add("effective_date", "effective_date "+err.Error()+".")
		}
	}
	if opts.Mapping, err = billing.ParseMapping(r.URL.Query().Get("map")); err != nil {
		bad.Add("map", "map "+err.Error()+"; write it as field=Header,field=Header.")
	}
	if err := bad.Err(); err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, maxUpload)
	v, created, err := a.svc.ImportRates(r.Context(), actor, id, body, opts, "api")
	if err != nil {
		return uploadErr(w, err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, struct {
		RateCardID int64       `json:"ratecard_id"`
		Created    bool        `json:"created"`
		Version    versionView `json:"version"`
	}{id, created, newVersionView(v)})
	return nil
}

// listRates serves the rows of one version (?version=, default the
// newest), optionally under a prefix (?prefix=).
func (a *api) listRates(w http.ResponseWriter, r *http.Request, _ app.Actor) error {
	id, err := pathID(r, "Rate card")
	if err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.RateFilter{CardID: id, Prefix: strings.TrimPrefix(r.URL.Query().Get("prefix"), "+"), After: after, Limit: limit}
	if s := r.URL.Query().Get("version"); s != "" {
		if f.Version, err = strconv.Atoi(s); err != nil || f.Version < 1 {
			return portico.FieldError("version", "version must be a version number like 1.")
		}
	}
	if strings.Trim(f.Prefix, "0123456789") != "" {
		return portico.FieldError("prefix", "prefix must be digits.")
	}
	p, err := a.svc.ListRates(r.Context(), f)
	if err != nil {
		return err
	}
	writeList(w, p, newRateView)
	return nil
}

// lineErrorBody is the 422 answer to an upload with bad lines: the usual
// error object, plus the problems in line order (a JSON object's keys have
// no order, so "fields" alone would scramble them).
type lineErrorBody struct {
	Error struct {
		httpx.ErrorDetail
		Lines []lineErrorView `json:"lines"`
	} `json:"error"`
}

type lineErrorView struct {
	Line    int    `json:"line,omitempty"`
	Item    int    `json:"item,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// uploadErr writes a *portico.LineErrors as a lineErrorBody and returns
// nil; any other error (including a body over the limit) is returned for
// the usual writer.
func uploadErr(w http.ResponseWriter, err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return portico.Errorf(portico.EINVALID, "The upload is larger than %d MiB; split it.", maxUpload>>20)
	}
	le, ok := errors.AsType[*portico.LineErrors](err)
	if !ok {
		return err
	}
	var body lineErrorBody
	body.Error.ErrorDetail = httpx.ErrorDetail{Code: portico.EINVALID, Message: portico.ErrorMessage(err), Fields: portico.ErrorFields(err)}
	body.Error.Lines = make([]lineErrorView, 0, len(le.Lines))
	for _, l := range le.Lines {
		v := lineErrorView{Field: l.Field, Message: l.Message}
		if le.Unit == "item" {
			v.Item = l.Line
		} else {
			v.Line = l.Line
		}
		body.Error.Lines = append(body.Error.Lines, v)
	}
	httpx.WriteJSON(w, http.StatusUnprocessableEntity, body)
	return nil
}
