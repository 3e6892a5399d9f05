package api

// Lago compatibility (README, "Coming from Flexprice / Lago / OpenMeter"):
// lago-javascript-client 1.53.0 with baseUrl <tally>/api/v1 posts
// {"event": {...}} to /api/v1/events and {"events": [...]} to
// /api/v1/events/batch, and reads
// /api/v1/customers/{external_customer_id}/current_usage. Any non-2xx makes
// the client throw; errors are Lago's {"status", "error", "code",
// "error_details"}.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// lagoEventReq is one event as Lago's client sends it.
type lagoEventReq struct {
	TransactionID          string          `json:"transaction_id"`
	ExternalSubscriptionID string          `json:"external_subscription_id"`
	Code                   string          `json:"code"`
	Timestamp              json.RawMessage `json:"timestamp"`
	Properties             json.RawMessage `json:"properties"`
	PreciseTotalAmountCent json.RawMessage `json:"precise_total_amount_cents"`
}

type lagoSingleReq struct {
	Event json.RawMessage `json:"event"`
}

type lagoBatchReq struct {
	Events []json.RawMessage `json:"events"`
}

// lagoEventJSON is Lago's event object, as its client reads it back.
type lagoEventJSON struct {
	LagoID                 string          `json:"lago_id"`
	TransactionID          string          `json:"transaction_id"`
	LagoCustomerID         *string         `json:"lago_customer_id"`
	Code                   string          `json:"code"`
	Timestamp              string          `json:"timestamp"`
	Properties             json.RawMessage `json:"properties"`
	LagoSubscriptionID     string          `json:"lago_subscription_id"`
	ExternalSubscriptionID string          `json:"external_subscription_id"`
	CreatedAt              string          `json:"created_at"`
}

// lagoErrorJSON is Lago's error body.
type lagoErrorJSON struct {
	Status       int                 `json:"status"`
	Error        string              `json:"error"`
	Code         string              `json:"code"`
	ErrorDetails map[string]any      `json:"error_details,omitempty"`
	Message      string              `json:"message,omitempty"`
	Rejected     []lagoRejectionJSON `json:"rejected,omitempty"`
}

type lagoRejectionJSON struct {
	Index         int    `json:"index"`
	TransactionID string `json:"transaction_id"`
}

// parseLagoTimestamp reads Unix seconds: a JSON number or a string, either
// with a fraction ("1763200800.123"); an RFC 3339 string is also taken.
func parseLagoTimestamp(raw json.RawMessage) (*time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, domain.Invalid("timestamp", "must be Unix seconds")
		}
		if strings.TrimSpace(text) == "" {
			return nil, nil
		}
		if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
			return &t, nil
		}
	}
	d, err := decimal.NewFromString(strings.TrimSpace(text))
	if err != nil {
		return nil, domain.Invalid("timestamp", "must be Unix seconds (a number, or a string such as \"1763200800.123\"), not %s", raw)
	}
	micros := d.Shift(6).Truncate(0)
	if !micros.IsInteger() || micros.Abs().GreaterThan(decimal.New(253402300799, 6)) {
		return nil, domain.Invalid("timestamp", "out of range")
	}
	t := time.UnixMicro(micros.IntPart()).UTC()
	return &t, nil
}

// lagoAttribution resolves external_subscription_id to its customer, once
// per id within a request.
type lagoAttribution struct {
	s     *Server
	c     echo.Context
	cache map[string]lagoSub
}

type lagoSub struct {
	id, customer, customerID string
	err                      error
}

func (a *lagoAttribution) lookup(ext string) lagoSub {
	if v, ok := a.cache[ext]; ok {
		return v
	}
	var v lagoSub
	sub, err := a.s.Customers.GetSubscriptionByExternalID(a.c.Request().Context(), tenantOf(a.c), ext)
	switch {
	case err == nil:
		v = lagoSub{id: sub.ID, customer: sub.CustomerExternalID, customerID: sub.CustomerID}
	case domain.KindOf(err) == domain.KindNotFound:
		v.err = domain.Invalid("external_subscription_id", "no subscription with external_id %q", ext)
	default:
		v.err = err
	}
	a.cache[ext] = v
	return v
}

// input maps a Lago event to Tally's: transaction_id → id, code →
// event_name, the customer of the subscription named by
// external_subscription_id, Unix-second timestamp, properties.
func (a *lagoAttribution) input(raw json.RawMessage) (meters.EventInput, error) {
	var req lagoEventReq
	if err := decodeBytes(raw, &req); err != nil {
		return meters.EventInput{}, err
	}
	var p domain.Problems
	ts, err := parseLagoTimestamp(req.Timestamp)
	if err != nil {
		p.Add("timestamp", "%s", problemMessage(err))
	}
	in := meters.EventInput{ID: req.TransactionID, EventName: req.Code, Properties: req.Properties, Timestamp: ts}
	ext := strings.TrimSpace(req.ExternalSubscriptionID)
	if ext == "" {
		p.Add("external_subscription_id", "is required")
	} else if sub := a.lookup(ext); sub.err != nil {
		if domain.KindOf(sub.err) == "" {
			return in, sub.err
		}
		p.Add("external_subscription_id", "%s", problemMessage(sub.err))
	} else {
		in.Customer = sub.customer
	}
	if strings.TrimSpace(req.TransactionID) == "" {
		p.Add("transaction_id", "is required")
	}
	if strings.TrimSpace(req.Code) == "" {
		p.Add("code", "is required")
	}
	return in, p.Err()
}

// problemMessage is an error's message without the field name.
func problemMessage(err error) string {
	if e, ok := domain.AsError(err); ok {
		if len(e.Fields) == 1 {
			return e.Fields[0].Message
		}
		return e.Message
	}
	return err.Error()
}

// lagoField renames Tally's event fields to Lago's.
func lagoField(f string) string {
	switch {
	case f == "id":
		return "transaction_id"
	case f == "event_name":
		return "code"
	case f == "customer":
		return "external_subscription_id"
	}
	return f
}

// lagoDetails is a rejection's error_details: {field: [message, …]}.
func lagoDetails(e errorDetail) map[string][]string {
	out := map[string][]string{}
	for _, d := range e.Details {
		f := lagoField(d.Field)
		out[f] = append(out[f], d.Message)
	}
	if len(out) == 0 {
		out["event"] = []string{e.Message}
	}
	return out
}

func lagoValidation(details map[string]any) lagoErrorJSON {
	return lagoErrorJSON{Status: http.StatusUnprocessableEntity, Error: "Unprocessable Entity", Code: "validation_errors", ErrorDetails: details}
}

// lagoEvents ingests Lago events and answers as Lago: 200 {"event": …} or
// {"events": [...]}, or 422 validation_errors with error_details (by
// field; in a batch, by index then field). Events of a partly rejected batch
// that were valid are stored (the reply names the rejected ones, so the
// client can resend the batch: stored transaction_ids count once).
func (s *Server) lagoEvents(c echo.Context, raws []json.RawMessage, single bool) error {
	a := &lagoAttribution{s: s, c: c, cache: map[string]lagoSub{}}
	inputs := make([]meters.EventInput, len(raws))
	out, err := s.ingestDecoded(c, len(raws), func(i int) (meters.EventInput, error) {
		in, err := a.input(raws[i])
		inputs[i] = in
		return in, err
	})
	if err != nil {
		return err
	}
	if len(out.Rejected) > 0 {
		if single {
			details := map[string]any{}
			for k, v := range lagoDetails(out.Rejected[0].Error) {
				details[k] = v
			}
			return c.JSON(http.StatusUnprocessableEntity, lagoValidation(details))
		}
		details := map[string]any{}
		body := lagoValidation(details)
		for _, r := range out.Rejected {
			details[strconv.Itoa(r.Index)] = lagoDetails(r.Error)
			body.Rejected = append(body.Rejected, lagoRejectionJSON{Index: r.Index, TransactionID: inputs[r.Index].ID})
		}
		body.Message = fmt.Sprintf("%d of %d events rejected (error_details by index); the other %d are stored", len(out.Rejected), len(raws), len(raws)-len(out.Rejected))
		return c.JSON(http.StatusUnprocessableEntity, body)
	}
	now := fmtTime(s.Clock.Now(c.Request().Context()))
	evs := make([]lagoEventJSON, len(raws))
	for i, in := range inputs {
		var req lagoEventReq
		_ = json.Unmarshal(raws[i], &req)
		ts := now
		if in.Timestamp != nil {
			ts = fmtTime(*in.Timestamp)
		}
		props := in.Properties
		if len(bytes.TrimSpace(props)) == 0 || string(bytes.TrimSpace(props)) == "null" {
			props = json.RawMessage("{}")
		}
		sub := a.lookup(strings.TrimSpace(req.ExternalSubscriptionID))
		cid := sub.customerID
		evs[i] = lagoEventJSON{LagoID: in.ID, TransactionID: in.ID, LagoCustomerID: &cid, Code: in.EventName, Timestamp: ts,
			Properties: props, LagoSubscriptionID: sub.id, ExternalSubscriptionID: req.ExternalSubscriptionID, CreatedAt: now}
	}
	if single {
		return c.JSON(http.StatusOK, map[string]any{"event": evs[0]})
	}
	return c.JSON(http.StatusOK, map[string]any{"events": evs})
}

// lagoEvent answers POST /api/v1/events {"event": {...}} (not CloudEvents:
// those are OpenMeter's, see apiEvents).
func (s *Server) lagoEvent(c echo.Context, body []byte) error {
	var req lagoSingleReq
	if err := decodeJSON(body, &req, false); err != nil {
		return err
	}
	if len(bytes.TrimSpace(req.Event)) == 0 || string(bytes.TrimSpace(req.Event)) == "null" {
		return c.JSON(http.StatusUnprocessableEntity, lagoValidation(map[string]any{"event": []string{"is required: the body is {\"event\": {...}}"}}))
	}
	return s.lagoEvents(c, []json.RawMessage{req.Event}, true)
}

// lagoBatch answers POST /api/v1/events/batch {"events": [...]}.
func (s *Server) lagoBatch(c echo.Context) error {
	var req lagoBatchReq
	if err := decodeEnvelope(c, &req); err != nil {
		return err
	}
	if len(req.Events) == 0 {
		return c.JSON(http.StatusUnprocessableEntity, lagoValidation(map[string]any{"events": []string{"must hold at least one event"}}))
	}
	if len(req.Events) > meters.MaxBatch {
		return c.JSON(http.StatusUnprocessableEntity, lagoValidation(map[string]any{"events": []string{fmt.Sprintf("at most %d events per batch", meters.MaxBatch)}}))
	}
	return s.lagoEvents(c, req.Events, false)
}

// lagoUsageJSON is Lago's customer_usage.
type lagoUsageJSON struct {
	FromDatetime     string           `json:"from_datetime"`
	ToDatetime       string           `json:"to_datetime"`
	IssuingDate      string           `json:"issuing_date"`
	Currency         string           `json:"currency"`
	AmountCents      int64            `json:"amount_cents"`
	TaxesAmountCents int64            `json:"taxes_amount_cents"`
	TotalAmountCents int64            `json:"total_amount_cents"`
	LagoInvoiceID    *string          `json:"lago_invoice_id"`
	ChargesUsage     []lagoChargeJSON `json:"charges_usage"`
}

type lagoChargeJSON struct {
	Units          string             `json:"units"`
	EventsCount    *int               `json:"events_count"`
	AmountCents    int64              `json:"amount_cents"`
	AmountCurrency string             `json:"amount_currency"`
	Charge         lagoChargeRefJSON  `json:"charge"`
	BillableMetric lagoMetricJSON     `json:"billable_metric"`
	Filters        []any              `json:"filters"`
	GroupedUsage   []any              `json:"grouped_usage"`
	Tally          lagoChargeTallyExt `json:"tally"`
}

type lagoChargeRefJSON struct {
	LagoID      string `json:"lago_id"`
	ChargeModel string `json:"charge_model"`
}

type lagoMetricJSON struct {
	LagoID          string `json:"lago_id"`
	Name            string `json:"name"`
	Code            string `json:"code"`
	AggregationType string `json:"aggregation_type"`
}

// lagoChargeTallyExt carries the exact decimals Lago's cents round.
type lagoChargeTallyExt struct {
	PriceKey string `json:"price_key"`
	Amount   string `json:"amount"`
}

// cents writes an amount in the currency's minor units.
func cents(cur domain.Currency, d decimal.Decimal) int64 {
	return cur.Round(d).Shift(cur.MinorUnits()).IntPart()
}

// lagoAggregation names Tally's aggregation as Lago does.
func lagoAggregation(t string) string {
	switch t {
	case "count":
		return "count_agg"
	case "sum":
		return "sum_agg"
	case "max":
		return "max_agg"
	case "unique_count":
		return "unique_count_agg"
	case "latest":
		return "latest_agg"
	case "unit_days":
		return "weighted_sum_agg"
	}
	return t
}

// lagoCurrentUsage answers GET
// /api/v1/customers/{external_customer_id}/current_usage?external_subscription_id=
// from the subscription's proposed invoice now: its usage lines (the
// quantities and amounts the period will bill so far) as charges_usage.
func (s *Server) lagoCurrentUsage(c echo.Context) error {
	ctx := c.Request().Context()
	ext := c.QueryParam("external_subscription_id")
	if ext == "" {
		return c.JSON(http.StatusUnprocessableEntity, lagoValidation(map[string]any{"external_subscription_id": []string{"value_is_mandatory"}}))
	}
	notFound := func(code string) error {
		return c.JSON(http.StatusNotFound, lagoErrorJSON{Status: http.StatusNotFound, Error: "Not Found", Code: code})
	}
	cust, err := s.Customers.GetByExternalID(ctx, tenantOf(c), c.Param("external_customer_id"))
	if domain.KindOf(err) == domain.KindNotFound {
		return notFound("customer_not_found")
	} else if err != nil {
		return err
	}
	sub, err := s.Customers.GetSubscriptionByExternalID(ctx, tenantOf(c), ext)
	if domain.KindOf(err) == domain.KindNotFound || (err == nil && sub.CustomerID != cust.ID) {
		return notFound("subscription_not_found")
	} else if err != nil {
		return err
	}
	inv, err := s.Invoicing.Proposed(ctx, tenantOf(c), sub.ID, time.Time{})
	if err != nil {
		return err
	}
	keys := []string{}
	for _, l := range inv.Lines {
		if l.Type == plans.Usage {
			keys = append(keys, l.Meter)
		}
	}
	ms, err := s.Meters.ByKeys(ctx, tenantOf(c), keys)
	if err != nil {
		return err
	}
	out := lagoUsageJSON{Currency: string(inv.Currency), ChargesUsage: []lagoChargeJSON{}}
	period, ok := usagePeriod(inv)
	if ok {
		out.FromDatetime, out.ToDatetime = fmtTime(period.Start), fmtTime(period.End)
		out.IssuingDate = period.End.UTC().Format("2006-01-02")
	}
	var sum decimal.Decimal
	for _, l := range inv.Lines {
		if l.Type != plans.Usage {
			continue
		}
		m := ms[l.Meter]
		sum = sum.Add(l.Amount)
		out.ChargesUsage = append(out.ChargesUsage, lagoChargeJSON{Units: l.Quantity.String(), AmountCents: cents(inv.Currency, l.Amount),
			AmountCurrency: string(inv.Currency), Charge: lagoChargeRefJSON{LagoID: l.PriceKey, ChargeModel: lagoChargeModel(inv, l)},
			BillableMetric: lagoMetricJSON{LagoID: m.ID, Name: m.Name, Code: l.Meter, AggregationType: lagoAggregation(string(m.Aggregation.Type))},
			Filters:        []any{}, GroupedUsage: []any{}, Tally: lagoChargeTallyExt{PriceKey: l.PriceKey, Amount: l.Amount.String()}})
	}
	out.AmountCents = cents(inv.Currency, sum)
	out.TotalAmountCents = out.AmountCents
	return c.JSON(http.StatusOK, map[string]any{"customer_usage": out})
}

// usagePeriod is the period of the proposed invoice's usage lines (the
// current one), or the invoice's.
func usagePeriod(inv invoicing.Invoice) (domain.Period, bool) {
	for _, l := range inv.Lines {
		if l.Type == plans.Usage {
			return l.Period, true
		}
	}
	return inv.Period, !inv.Period.Start.IsZero()
}

func lagoChargeModel(_ invoicing.Invoice, l invoicing.Line) string {
	if l.Tiers != nil {
		return "graduated"
	}
	return "standard"
}
