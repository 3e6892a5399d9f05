package api

// OpenMeter compatibility (README, "Coming from Flexprice / Lago /
// OpenMeter"): @openmeter/sdk 1.0.0-beta.232 with baseUrl <tally> posts
// CloudEvents to /api/v1/events (application/cloudevents-batch+json, an
// array; or application/cloudevents+json, one object) expecting 204, and
// queries /api/v1/meters/{slug}/query. Errors are RFC 7807 problems with
// Content-Type exactly application/problem+json, which the SDK reads.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

// cloudEventReq is one CloudEvent as OpenMeter takes it.
type cloudEventReq struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Subject     string          `json:"subject"`
	Source      string          `json:"source"`
	Time        *string         `json:"time"`
	Data        json.RawMessage `json:"data"`
	SpecVersion string          `json:"specversion"`
}

// problemJSON is an RFC 7807 problem, as OpenMeter answers errors.
type problemJSON struct {
	Type     string          `json:"type"`
	Title    string          `json:"title"`
	Status   int             `json:"status"`
	Detail   string          `json:"detail"`
	Instance string          `json:"instance,omitempty"`
	Accepted *int            `json:"accepted,omitempty"`
	Rejected []rejectionJSON `json:"rejected,omitempty"`
}

// problem writes p with Content-Type application/problem+json (exactly:
// the SDK compares the header with that string).
func problem(c echo.Context, p problemJSON) error {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.Instance = c.Request().URL.Path
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.Blob(p.Status, "application/problem+json", b)
}

// problemOf turns a Tally error into a problem.
func problemOf(c echo.Context, err error) error {
	e, ok := domain.AsError(err)
	if !ok {
		return err
	}
	detail := e.Message
	for _, f := range e.Fields {
		detail += fmt.Sprintf("; %s: %s", f.Field, f.Message)
	}
	return problem(c, problemJSON{Status: statusOf(e.Kind), Detail: detail})
}

// isCloudEvents reports whether the request's Content-Type is one of
// CloudEvents' (structured or batch mode).
func isCloudEvents(c echo.Context) bool {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	return mt == "application/cloudevents+json" || mt == "application/cloudevents-batch+json"
}

// apiEvents answers POST /api/v1/events, shared by Lago and OpenMeter: a
// CloudEvents Content-Type, or a JSON array, is OpenMeter's; anything else
// is Lago's {"event": {...}}.
func (s *Server) apiEvents(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(body)
	if isCloudEvents(c) || (len(trimmed) > 0 && trimmed[0] == '[') {
		return s.openmeterEvents(c, trimmed)
	}
	return s.lagoEvent(c, body)
}

// cloudEventInput maps a CloudEvent to Tally's event: id, type →
// event_name, subject → customer, time → timestamp, data → properties.
func cloudEventInput(raw json.RawMessage) (meters.EventInput, error) {
	var req cloudEventReq
	if err := decodeBytes(raw, &req); err != nil {
		return meters.EventInput{}, err
	}
	in := meters.EventInput{ID: req.ID, EventName: req.Type, Customer: req.Subject, Properties: req.Data}
	var p domain.Problems
	if req.SpecVersion != "" && req.SpecVersion != "1.0" {
		p.Add("specversion", "must be \"1.0\"")
	}
	if req.Time != nil && *req.Time != "" {
		t, err := domain.ParseTime("time", *req.Time)
		if err != nil {
			p.Add("time", "%s", problemMessage(err))
		} else {
			in.Timestamp = &t
		}
	}
	return in, p.Err()
}

// cloudEventField renames Tally's event fields to CloudEvents'.
func cloudEventField(f string) string {
	switch {
	case f == "event_name":
		return "type"
	case f == "customer":
		return "subject"
	case f == "timestamp":
		return "time"
	case f == "properties":
		return "data"
	case strings.HasPrefix(f, "properties."):
		return "data." + strings.TrimPrefix(f, "properties.")
	}
	return f
}

// openmeterEvents ingests one CloudEvent or an array of them: 204 when all
// are stored (or were already, by id); otherwise a 400 problem naming each
// rejected event by index (the valid ones are stored: resending the batch
// counts them once).
func (s *Server) openmeterEvents(c echo.Context, body []byte) error {
	var raws []json.RawMessage
	if len(body) > 0 && body[0] == '[' {
		if err := json.Unmarshal(body, &raws); err != nil {
			return problem(c, problemJSON{Status: http.StatusBadRequest, Detail: "the body is not a JSON array of CloudEvents"})
		}
	} else if len(body) > 0 && body[0] == '{' && json.Valid(body) {
		raws = []json.RawMessage{body}
	} else {
		return problem(c, problemJSON{Status: http.StatusBadRequest, Detail: "the body must be a CloudEvent object or an array of them"})
	}
	if len(raws) == 0 {
		return problem(c, problemJSON{Status: http.StatusBadRequest, Detail: "no events"})
	}
	if len(raws) > meters.MaxBatch {
		return problem(c, problemJSON{Status: http.StatusBadRequest, Detail: fmt.Sprintf("at most %d events per request (got %d)", meters.MaxBatch, len(raws))})
	}
	out, err := s.ingestDecoded(c, len(raws), func(i int) (meters.EventInput, error) { return cloudEventInput(raws[i]) })
	if err != nil {
		return problemOf(c, err)
	}
	if len(out.Rejected) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	var parts []string
	for i, r := range out.Rejected {
		for j := range r.Error.Details {
			r.Error.Details[j].Field = cloudEventField(r.Error.Details[j].Field)
		}
		out.Rejected[i] = r
		msg := r.Error.Message
		if len(r.Error.Details) > 0 {
			var fs []string
			for _, d := range r.Error.Details {
				fs = append(fs, d.Field+": "+d.Message)
			}
			msg = strings.Join(fs, ", ")
		}
		parts = append(parts, fmt.Sprintf("event %d: %s", r.Index, msg))
	}
	stored := out.Accepted + out.Duplicates
	return problem(c, problemJSON{Status: http.StatusBadRequest, Accepted: &stored, Rejected: out.Rejected,
		Detail: fmt.Sprintf("%d of %d events rejected (%s); the other %d are stored", len(out.Rejected), len(raws), strings.Join(parts, "; "), stored)})
}

// meterQueryJSON is OpenMeter's meter query result.
type meterQueryJSON struct {
	From       *string          `json:"from"`
	To         *string          `json:"to"`
	WindowSize *string          `json:"windowSize"`
	Data       []meterValueJSON `json:"data"`
}

type meterValueJSON struct {
	Value       json.Number       `json:"value"`
	WindowStart string            `json:"windowStart"`
	WindowEnd   string            `json:"windowEnd"`
	Subject     *string           `json:"subject"`
	GroupBy     map[string]string `json:"groupBy"`
}

// meterQueryReq is the query, from the URL (GET) or the body (POST).
type meterQueryReq struct {
	From       *string  `json:"from"`
	To         *string  `json:"to"`
	WindowSize string   `json:"windowSize"`
	Subject    []string `json:"subject"`
	GroupBy    []string `json:"groupBy"`
}

// maxMeterQueryCells bounds windows × subjects of one meter query.
const maxMeterQueryCells = 10000

// openmeterMeterQuery answers GET|POST /api/v1/meters/{slug}/query: the
// meter (by key) aggregated as proposed invoices count it (the same
// Quantity), per window (windowSize MINUTE, HOUR or DAY, in UTC; none: one
// row over [from, to)), per subject when groupBy holds "subject" (or
// subjects are listed), else summed over the subjects. from defaults to 30
// days before to, to to now.
func (s *Server) openmeterMeterQuery(c echo.Context) error {
	ctx := c.Request().Context()
	var q meterQueryReq
	if c.Request().Method == http.MethodPost {
		if err := decode(c, &q); err != nil {
			return problemOf(c, err)
		}
	} else {
		qs := c.QueryParams()
		if v := qs.Get("from"); v != "" {
			q.From = &v
		}
		if v := qs.Get("to"); v != "" {
			q.To = &v
		}
		q.WindowSize = qs.Get("windowSize")
		q.Subject = qs["subject"]
		q.GroupBy = qs["groupBy"]
	}
	bad := func(format string, args ...any) error {
		return problem(c, problemJSON{Status: http.StatusBadRequest, Detail: fmt.Sprintf(format, args...)})
	}
	slug := c.Param("slug")
	ms, err := s.Meters.ByKeys(ctx, tenantOf(c), []string{slug})
	if err != nil {
		return problemOf(c, err)
	}
	m, ok := ms[slug]
	if !ok {
		return problem(c, problemJSON{Status: http.StatusNotFound, Detail: fmt.Sprintf("meter %q not found", slug)})
	}
	to := s.Clock.Now(ctx)
	if q.To != nil {
		t, err := time.Parse(time.RFC3339Nano, *q.To)
		if err != nil {
			return bad("to: must be an RFC 3339 timestamp")
		}
		to = t.UTC()
	}
	from := to.AddDate(0, 0, -30)
	if q.From != nil {
		t, err := time.Parse(time.RFC3339Nano, *q.From)
		if err != nil {
			return bad("from: must be an RFC 3339 timestamp")
		}
		from = t.UTC()
	}
	if !from.Before(to) {
		return bad("from must be before to")
	}
	var step time.Duration
	switch strings.ToUpper(q.WindowSize) {
	case "":
	case "MINUTE":
		step = time.Minute
	case "HOUR":
		step = time.Hour
	case "DAY":
		step = 24 * time.Hour
	default:
		return bad("windowSize: must be MINUTE, HOUR or DAY")
	}
	bySubject := false
	for _, g := range q.GroupBy {
		if g != "subject" {
			return bad("groupBy %q: Tally groups meter queries by subject only", g)
		}
		bySubject = true
	}
	subjects := q.Subject
	if len(subjects) > 0 {
		bySubject = true
	} else {
		all, err := s.allCustomerIDs(c)
		if err != nil {
			return problemOf(c, err)
		}
		subjects = all
	}
	type window struct{ start, end time.Time }
	var windows []window
	if step == 0 {
		windows = []window{{from, to}}
	} else {
		start := from.Truncate(step)
		for t := start; t.Before(to); t = t.Add(step) {
			windows = append(windows, window{t, t.Add(step)})
			if len(windows)*max(1, len(subjects)) > maxMeterQueryCells {
				return bad("the query holds more than %d windows × subjects; narrow from/to or widen windowSize", maxMeterQueryCells)
			}
		}
	}
	out := meterQueryJSON{From: ptr(fmtTime(from)), To: ptr(fmtTime(to)), Data: []meterValueJSON{}}
	if q.WindowSize != "" {
		out.WindowSize = ptr(strings.ToUpper(q.WindowSize))
	}
	for _, w := range windows {
		sum := decimal.Zero
		rows := []meterValueJSON{}
		for _, sub := range subjects {
			v, err := s.Meters.Quantity(ctx, tenantOf(c), m, sub, nil, meters.Window{Period: domain.Period{Start: w.start, End: w.end}, Until: w.end, Location: time.UTC})
			if err != nil {
				return problemOf(c, err)
			}
			if bySubject {
				rows = append(rows, meterValueJSON{Value: json.Number(v.String()), WindowStart: fmtTime(w.start), WindowEnd: fmtTime(w.end), Subject: ptr(sub), GroupBy: map[string]string{}})
			}
			sum = sum.Add(v)
		}
		if !bySubject {
			rows = append(rows, meterValueJSON{Value: json.Number(sum.String()), WindowStart: fmtTime(w.start), WindowEnd: fmtTime(w.end), GroupBy: map[string]string{}})
		}
		out.Data = append(out.Data, rows...)
	}
	return c.JSON(http.StatusOK, out)
}

// allCustomerIDs lists the external ids of every customer of the tenant.
func (s *Server) allCustomerIDs(c echo.Context) ([]string, error) {
	var out []string
	p := domain.Page{Limit: 500}
	for {
		l, err := s.Customers.List(c.Request().Context(), tenantOf(c), p)
		if err != nil {
			return nil, err
		}
		for _, cu := range l.Data {
			out = append(out, cu.ExternalID)
		}
		if l.NextCursor == "" {
			break
		}
		p.Cursor = l.NextCursor
	}
	sort.Strings(out)
	return out, nil
}

func ptr[T any](v T) *T { return &v }
