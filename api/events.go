package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

type eventReq struct {
	ID         string          `json:"id" openapi:"required,min=1" doc:"The client's idempotency key: one id is counted once per tenant."`
	EventName  string          `json:"event_name" openapi:"required,min=1"`
	Customer   string          `json:"customer" openapi:"required,min=1" doc:"The customer's external_id."`
	Timestamp  *string         `json:"timestamp" openapi:"date-time" doc:"Default: the time of receipt; more than 5 minutes ahead is rejected."`
	Properties json.RawMessage `json:"properties" doc:"At most 256 names and 32 KiB of JSON; numbers within float64's range (at most 309 digits before the point, 324 after). Beyond: 422 (a rejected index in a batch)."`
}

type batchReq struct {
	Events []json.RawMessage `json:"events"`
}

// eventBatchDoc is batchReq as documented: the handler reads each event
// raw, to reject them one by one.
type eventBatchDoc struct {
	Events []eventReq `json:"events" openapi:"required,max=1000"`
}

type rejectionJSON struct {
	Index int         `json:"index"`
	Error errorDetail `json:"error"`
}

type ingestJSON struct {
	Accepted   int             `json:"accepted"`
	Duplicates int             `json:"duplicates"`
	Rejected   []rejectionJSON `json:"rejected"`
}

type eventJSON struct {
	ID         string          `json:"id"`
	EventName  string          `json:"event_name"`
	Customer   string          `json:"customer"`
	Timestamp  string          `json:"timestamp" openapi:"date-time"`
	Properties json.RawMessage `json:"properties"`
	ReceivedAt string          `json:"received_at" openapi:"date-time"`
}

func toEventJSON(e meters.Event) eventJSON {
	props, _ := json.Marshal(e.Properties)
	return eventJSON{ID: e.ID, EventName: e.EventName, Customer: e.Customer, Timestamp: fmtTime(e.Timestamp),
		Properties: props, ReceivedAt: fmtTime(e.ReceivedAt)}
}

// toEventInput decodes one event of a batch on its own, so that one bad
// event is rejected by index instead of failing the batch.
func toEventInput(raw json.RawMessage) (meters.EventInput, error) {
	var req eventReq
	if err := decodeBytes(raw, &req); err != nil {
		return meters.EventInput{}, err
	}
	in := meters.EventInput{ID: req.ID, EventName: req.EventName, Customer: req.Customer, Properties: req.Properties}
	if req.Timestamp != nil {
		t, err := domain.ParseTime("timestamp", *req.Timestamp)
		if err != nil {
			return in, err
		}
		in.Timestamp = &t
	}
	return in, nil
}

func rejectionOf(r meters.Rejection) rejectionJSON {
	d := errorDetail{Code: "invalid_event", Message: r.Err.Error(), Details: []domain.FieldError{}}
	if e, ok := domain.AsError(r.Err); ok {
		d.Code, d.Message = e.Code, e.Message
		if e.Fields != nil {
			d.Details = e.Fields
		}
	}
	return rejectionJSON{Index: r.Index, Error: d}
}

// ingest decodes each raw event, stores the valid ones and reports all.
func (s *Server) ingest(c echo.Context, raws []json.RawMessage) (ingestJSON, error) {
	return s.ingestDecoded(c, len(raws), func(i int) (meters.EventInput, error) { return toEventInput(raws[i]) })
}

// ingestDecoded stores n events, the i-th decoded by in (an error rejects
// it by index), through the one path every ingestion route shares: the same
// validation, dedup by id and durable write as POST /v1/events.
func (s *Server) ingestDecoded(c echo.Context, n int, in func(i int) (meters.EventInput, error)) (ingestJSON, error) {
	start := time.Now()
	var pre []meters.Rejection
	inputs := make([]meters.EventInput, 0, n)
	index := make([]int, 0, n)
	for i := 0; i < n; i++ {
		ev, err := in(i)
		if err != nil {
			pre = append(pre, meters.Rejection{Index: i, Err: err})
			continue
		}
		inputs = append(inputs, ev)
		index = append(index, i)
	}
	res, err := s.Meters.Ingest(c.Request().Context(), tenantOf(c), inputs)
	if err != nil {
		return ingestJSON{}, err
	}
	if res.Accepted > 0 {
		s.touchBudgets(tenantOf(c), inputs, res.Rejected)
	}
	out := ingestJSON{Accepted: res.Accepted, Duplicates: res.Duplicates, Rejected: []rejectionJSON{}}
	for _, r := range pre {
		out.Rejected = append(out.Rejected, rejectionOf(r))
	}
	for _, r := range res.Rejected {
		r.Index = index[r.Index]
		out.Rejected = append(out.Rejected, rejectionOf(r))
	}
	sort.Slice(out.Rejected, func(i, j int) bool { return out.Rejected[i].Index < out.Rejected[j].Index })
	s.metrics.observeIngest(out.Accepted, out.Duplicates, len(out.Rejected), time.Since(start))
	return out, nil
}

// postEvent takes one event. A rejected event answers 422 with its
// problems (one event has nothing else to report); a duplicate answers 202
// with duplicates: 1. A body of Flexprice's shape is Flexprice's ingest
// (compat_flexprice.go).
func (s *Server) postEvent(c echo.Context) error {
	var raw json.RawMessage
	if err := decode(c, &raw); err != nil {
		return err
	}
	if isFlexpriceEvent(raw) { // Flexprice's SDK posts to this same path
		return s.flexpriceEvent(c, raw)
	}
	out, err := s.ingest(c, []json.RawMessage{raw})
	if err != nil {
		return err
	}
	if len(out.Rejected) == 1 {
		e := out.Rejected[0].Error
		return &domain.Error{Kind: domain.KindValidation, Code: e.Code, Message: e.Message, Fields: e.Details}
	}
	return c.JSON(http.StatusAccepted, out)
}

// postEventBatch takes up to meters.MaxBatch events. A batch whose events
// are all well formed is decoded in one pass (decodeBatchFast); any other
// goes event by event, so that each bad one is rejected by its index.
func (s *Server) postEventBatch(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if inputs, ok := decodeBatchFast(body); ok {
		out, err := s.ingestDecoded(c, len(inputs), func(i int) (meters.EventInput, error) { return inputs[i], nil })
		if err != nil {
			return err
		}
		return c.JSON(http.StatusAccepted, out)
	}
	var req batchReq
	if err := decodeJSON(body, &req, false); err != nil {
		return err
	}
	if len(req.Events) == 0 {
		return domain.Invalid("events", "must hold at least one event")
	}
	if len(req.Events) > meters.MaxBatch {
		return domain.Invalid("events", "at most %d events per batch (got %d)", meters.MaxBatch, len(req.Events))
	}
	out, err := s.ingest(c, req.Events)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, out)
}

func (s *Server) listEvents(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	q := meters.EventQuery{Customer: c.QueryParam("customer"), EventName: c.QueryParam("event_name")}
	if q.From, err = queryTime(c, "from"); err != nil {
		return err
	}
	if q.To, err = queryTime(c, "to"); err != nil {
		return err
	}
	l, err := s.Meters.ListEvents(c.Request().Context(), tenantOf(c), q, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, toEventJSON))
}

type pointJSON struct {
	Start string `json:"start" openapi:"date-time"`
	End   string `json:"end" openapi:"date-time"`
	Value string `json:"value" openapi:"decimal"`
}

type seriesJSON struct {
	Customer    string      `json:"customer"`
	Meter       string      `json:"meter"`
	Granularity string      `json:"granularity" openapi:"enum=granularity"`
	From        string      `json:"from" openapi:"date-time"`
	To          string      `json:"to" openapi:"date-time"`
	Data        []pointJSON `json:"data"`
}

// customerUsage answers GET /v1/customers/{id}/usage. from defaults to 30
// days before to, to defaults to now, granularity to day.
func (s *Server) customerUsage(c echo.Context) error {
	out, err := s.usageSeries(c, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// usageSeries reads ?meter=&from=&to=&granularity= and returns the
// customer's series (admin and portal routes).
func (s *Server) usageSeries(c echo.Context, customerID string) (seriesJSON, error) {
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), customerID)
	if err != nil {
		return seriesJSON{}, err
	}
	key := c.QueryParam("meter")
	if key == "" {
		return seriesJSON{}, domain.Invalid("meter", "is required (a meter key)")
	}
	ms, err := s.Meters.ByKeys(ctx, tenantOf(c), []string{key})
	if err != nil {
		return seriesJSON{}, err
	}
	m, ok := ms[key]
	if !ok {
		return seriesJSON{}, domain.Invalid("meter", "unknown meter %q", key)
	}
	to := s.Clock.Now(c.Request().Context())
	if t, err := queryTime(c, "to"); err != nil {
		return seriesJSON{}, err
	} else if t != nil {
		to = *t
	}
	from := to.AddDate(0, 0, -30)
	if t, err := queryTime(c, "from"); err != nil {
		return seriesJSON{}, err
	} else if t != nil {
		from = *t
	}
	g := meters.Granularity(c.QueryParam("granularity"))
	if g == "" {
		g = meters.Day
	}
	pts, err := s.Meters.Series(ctx, tenantOf(c), meters.SeriesQuery{Meter: m, Customer: cu.ExternalID, From: from, To: to, Granularity: g, Location: cu.Location()})
	if err != nil {
		return seriesJSON{}, err
	}
	out := seriesJSON{Customer: cu.ExternalID, Meter: m.Key, Granularity: string(g), From: fmtTime(from), To: fmtTime(to), Data: make([]pointJSON, len(pts))}
	for i, p := range pts {
		out.Data[i] = pointJSON{Start: fmtTime(p.Start), End: fmtTime(p.End), Value: p.Value.String()}
	}
	return out, nil
}

// touchBudgets queues the customers of the stored events of a batch for
// budget evaluation (budgets.Worker), after the batch committed and without
// waiting for it.
func (s *Server) touchBudgets(tenantID string, inputs []meters.EventInput, rejected []meters.Rejection) {
	if s.BudgetWorker == nil {
		return
	}
	bad := make(map[int]bool, len(rejected))
	for _, r := range rejected {
		bad[r.Index] = true
	}
	seen := map[string]bool{}
	var who []string
	for i, in := range inputs {
		if !bad[i] && in.Customer != "" && !seen[in.Customer] {
			seen[in.Customer] = true
			who = append(who, in.Customer)
		}
	}
	if len(who) > 0 {
		s.BudgetWorker.Touch(tenantID, who)
	}
}
