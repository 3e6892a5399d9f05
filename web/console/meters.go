package console

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

type metersPage struct {
	base
	Meters []meters.Meter
	Next   string
}

func listMeters(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	l, err := c.svc.Meters.List(ctx, se.TenantID, pageOf(ec, 100), ec.QueryParam("archived") == "on")
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "meters", metersPage{base: c.newBase(ec, se, "meters"), Meters: l.Data, Next: nextURL(ec, l.NextCursor)})
}

// aggregations are the meter service's aggregation types, for the select.
var aggregations = []meters.AggregationType{meters.Count, meters.Sum, meters.Max, meters.UniqueCount, meters.Latest, meters.UnitDays}

type meterForm struct {
	base
	Form         formState
	Aggregations []meters.AggregationType
	Preview      meterPreview
}

// meterPreview is which recent events of the event name the meter being
// written would count (meters.Meter.Matches) and the value it would read.
type meterPreview struct {
	EventName string
	Problem   string
	Rows      []previewRow
	Matching  int
}

type previewRow struct {
	Event   meters.Event
	Matches bool
	Value   string
}

// previewLimit is how many recent events the preview reads.
const previewLimit = 25

// meterInput reads the form into the service's input; a filters text that
// is not a JSON object of arrays is reported under "filters".
func meterInput(f *formState) meters.CreateInput {
	in := meters.CreateInput{Key: strings.TrimSpace(f.V("key")), Name: f.V("name"), EventName: strings.TrimSpace(f.V("event_name")),
		Aggregation: meters.Aggregation{Type: meters.AggregationType(f.V("aggregation_type")), Field: strings.TrimSpace(f.V("aggregation_field"))},
		Unit:        f.V("unit"), Cost: meters.CostInput{PerUnit: f.decimalField("cost_per_unit", "cost_per_unit"), Currency: strings.TrimSpace(f.V("cost_currency"))}}
	if s := strings.TrimSpace(f.V("filters")); s != "" {
		if err := json.Unmarshal([]byte(s), &in.Filters); err != nil {
			f.add("filters", `must be a JSON object of arrays of values, such as {"model": ["gpt-4o"]}`)
		}
	}
	return in
}

func (c *Console) preview(ec echo.Context, se *session, f *formState) (meterPreview, error) {
	in := meterInput(f)
	pv := meterPreview{EventName: in.EventName}
	if in.EventName == "" {
		return pv, nil
	}
	if f.E("filters") != "" {
		pv.Problem = f.E("filters")
		return pv, nil
	}
	if err := in.Filters.Validate(); err != nil {
		pv.Problem = err.Error()
		return pv, nil
	}
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return pv, err
	}
	l, err := c.svc.Meters.ListEvents(ctx, se.TenantID, meters.EventQuery{EventName: in.EventName}, domain.Page{Limit: previewLimit})
	if err != nil {
		return pv, err
	}
	m := meters.Meter{EventName: in.EventName, Filters: in.Filters, Aggregation: in.Aggregation}
	for _, e := range l.Data {
		r := previewRow{Event: e, Matches: m.Matches(e)}
		if r.Matches {
			pv.Matching++
		}
		if in.Aggregation.Field != "" {
			if raw, ok := e.Properties.Lookup(in.Aggregation.Field); ok {
				r.Value = string(raw)
			}
		}
		pv.Rows = append(pv.Rows, r)
	}
	return pv, nil
}

func newMeter(c *Console, ec echo.Context, se *session) error {
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	if f.V("aggregation_type") == "" {
		f.Values.Set("aggregation_type", string(meters.Count))
	}
	pv, err := c.preview(ec, se, &f)
	if err != nil {
		return err
	}
	f.Problems, f.Errors = nil, map[string]string{}
	return c.render(ec, http.StatusOK, "meter_new", meterForm{base: c.newBase(ec, se, "meters"), Form: f, Aggregations: aggregations, Preview: pv})
}

// previewMeter is the live part of the form: the matching events.
func previewMeter(c *Console, ec echo.Context, se *session) error {
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	pv, err := c.preview(ec, se, &f)
	if err != nil {
		return err
	}
	return c.partial(ec, "meter_new", "preview", pv)
}

func createMeter(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := newForm(ec)
	in := meterInput(&f)
	err = f.err()
	if err == nil {
		_, err = c.svc.Meters.Create(ctx, se.TenantID, in)
	}
	if err != nil {
		status, ok := f.refuse(err)
		if !ok {
			return err
		}
		pv, perr := c.preview(ec, se, &formState{Values: f.Values, Errors: map[string]string{}})
		if perr != nil {
			return perr
		}
		return c.render(ec, status, "meter_new", meterForm{base: c.newBase(ec, se, "meters"), Form: f, Aggregations: aggregations, Preview: pv})
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/meters", "meter"))
}
