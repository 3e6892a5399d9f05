package api_test

import (
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// planWith is a plan body in USD per month holding the prices.
func planWith(key string, prices ...any) obj {
	return obj{"key": key, "currency": "USD", "interval": "month", "prices": prices}
}

// TestValidationErrors sends bad requests of every kind and checks the
// status, the error code and the field paths of the contract's error body.
func TestValidationErrors(t *testing.T) {
	type tc struct {
		name   string
		method string
		path   string
		body   any
		status int
		code   string
		fields []string
	}
	const v = "validation_failed"
	cases := []tc{
		// Plans and prices.
		{"a usage price naming an unknown meter is refused with its meter field named", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "nope", "model": "per_unit", "amount": "1"}), 422, v, []string{"prices[0].meter"}},
		{"a usage price without a meter is refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "model": "per_unit", "amount": "1"}), 422, v, []string{"prices[0].meter"}},
		{"tiers whose up_to do not increase are refused with the tier named", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "tiered", "tiers": list{
				obj{"up_to": "100", "unit_amount": "1"}, obj{"up_to": "50", "unit_amount": "0.5"}, obj{"up_to": nil, "unit_amount": "0.1"}}}),
			422, v, []string{"prices[0].tiers[1].up_to"}},
		{"a plan with a bounded last tier is refused with the field named", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "tiered", "tiers": list{
				obj{"up_to": "100", "unit_amount": "1"}, obj{"up_to": "200", "unit_amount": "0.5"}}}),
			422, v, []string{"prices[0].tiers[1].up_to"}},
		{"an unbounded tier before the last is refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "tiered", "tiers": list{
				obj{"up_to": nil, "unit_amount": "1"}, obj{"up_to": nil, "unit_amount": "0.5"}}}),
			422, v, []string{"prices[0].tiers[0].up_to"}},
		{"a tiered price without tiers is refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "tiered"}), 422, v, []string{"prices[0].tiers"}},
		{"a package price without package_size is refused with the field named", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "package", "amount": "5"}), 422, v, []string{"prices[0].package_size"}},
		{"a package_size of zero is refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "package", "amount": "5", "package_size": "0"}), 422, v, []string{"prices[0].package_size"}},
		{"a flat price of type usage is refused with its model named", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "flat", "amount": "1"}), 422, v, []string{"prices[0].model"}},
		{"a fixed price with a per-unit model is refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "fixed", "model": "per_unit", "amount": "1"}), 422, v, []string{"prices[0].model"}},
		{"a price of unknown type is refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "oneoff", "model": "flat", "amount": "1"}), 422, v, []string{"prices[0].type"}},
		{"a negative amount on the second price is named by its index", "POST", "/v1/plans",
			planWith("p1", obj{"key": "base", "type": "fixed", "amount": "1"}, obj{"key": "x", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "-0.01"}),
			422, v, []string{"prices[1].amount"}},
		{"a unit price with more than 12 decimal places is refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "0.0000000000001"}), 422, v, []string{"prices[0].amount"}},
		{"two prices with one key are refused", "POST", "/v1/plans",
			planWith("p1", obj{"key": "x", "type": "fixed", "amount": "1"}, obj{"key": "x", "type": "fixed", "amount": "2"}), 422, v, []string{"prices[1].key"}},
		{"a plan currency that is not ISO 4217 is refused", "POST", "/v1/plans",
			obj{"key": "p1", "currency": "XYZ", "interval": "month"}, 422, v, []string{"currency"}},
		{"a plan without a currency is refused", "POST", "/v1/plans",
			obj{"key": "p1", "interval": "month"}, 422, v, []string{"currency"}},
		{"an unknown interval is refused", "POST", "/v1/plans",
			obj{"key": "p1", "currency": "USD", "interval": "fortnight"}, 422, v, []string{"interval"}},
		{"a plan without an interval is refused", "POST", "/v1/plans",
			obj{"key": "p1", "currency": "USD"}, 422, v, []string{"interval"}},
		{"a plan whose key is taken is a 409", "POST", "/v1/plans",
			planWith("usd_plan"), 409, "duplicate_key", nil},
		{"several problems in one plan are all reported", "POST", "/v1/plans",
			obj{"currency": "XYZ", "interval": "fortnight", "prices": list{
				obj{"key": "a", "type": "usage", "meter": "nope", "model": "per_unit", "amount": "1"},
				obj{"key": "b", "type": "usage", "meter": "calls", "model": "package", "amount": "5"},
				obj{"type": "usage", "meter": "calls", "model": "tiered", "tiers": list{obj{"up_to": "10", "unit_amount": "1"}}},
			}}, 422, v, []string{"key", "currency", "interval", "prices[0].meter", "prices[1].package_size", "prices[2].key", "prices[2].tiers[0].up_to"}},

		// Meters.
		{"a meter whose key is taken is a 409", "POST", "/v1/meters",
			obj{"key": "calls", "event_name": "other", "aggregation": obj{"type": "count"}}, 409, "duplicate_key", nil},
		{"a sum meter without a field is refused", "POST", "/v1/meters",
			obj{"key": "m1", "event_name": "e", "aggregation": obj{"type": "sum"}}, 422, v, []string{"aggregation.field"}},
		{"an unknown aggregation is refused", "POST", "/v1/meters",
			obj{"key": "m1", "event_name": "e", "aggregation": obj{"type": "avg", "field": "x"}}, 422, v, []string{"aggregation.type"}},
		{"a meter filter without values is refused", "POST", "/v1/meters",
			obj{"key": "m1", "event_name": "e", "aggregation": obj{"type": "count"}, "filters": obj{"model": list{}}}, 422, v, []string{"filters.model"}},
		{"several problems in one meter are all reported", "POST", "/v1/meters",
			obj{"key": "bad key!", "aggregation": obj{"type": "max"}}, 422, v, []string{"key", "event_name", "aggregation.field"}},

		// Customers.
		{"a customer whose external_id is taken is a 409", "POST", "/v1/customers",
			obj{"external_id": "usd_cust", "currency": "USD"}, 409, "duplicate_key", nil},
		{"an invalid timezone on a customer is refused", "POST", "/v1/customers",
			obj{"external_id": "c1", "currency": "USD", "timezone": "Mars/Olympus_Mons"}, 422, v, []string{"timezone"}},
		{"an invalid timezone in a customer update is refused", "PATCH", "/v1/customers/{usd_cust}",
			obj{"timezone": "Europe/Atlantis"}, 422, v, []string{"timezone"}},
		{"a customer currency that is not ISO 4217 is refused", "POST", "/v1/customers",
			obj{"external_id": "c1", "currency": "BTC"}, 422, v, []string{"currency"}},
		{"a customer without external_id or currency gets both named", "POST", "/v1/customers",
			obj{"name": "Nobody", "email": "not an email"}, 422, v, []string{"external_id", "currency", "email"}},

		// Subscriptions.
		{"a subscription to an unknown plan is refused with plan named", "POST", "/v1/subscriptions",
			obj{"customer": "usd_cust", "plan": "nope"}, 422, v, []string{"plan"}},
		{"a subscription for an unknown customer is refused with customer named", "POST", "/v1/subscriptions",
			obj{"customer": "nobody", "plan": "usd_plan"}, 422, v, []string{"customer"}},
		{"a subscription naming neither a known plan nor customer gets both named", "POST", "/v1/subscriptions",
			obj{"customer": "nobody", "plan": "nope", "billing_cycle": "lunar", "trial_days": -1}, 422, v, []string{"customer", "plan", "billing_cycle", "trial_days"}},
		{"a plan in another currency than the customer's is refused", "POST", "/v1/subscriptions",
			obj{"customer": "eur_cust", "plan": "usd_plan"}, 422, v, []string{"plan"}},

		// Keys.
		{"an api key of unknown kind is refused", "POST", "/v1/api_keys",
			obj{"kind": "root", "name": "x"}, 422, v, []string{"kind"}},

		// Malformed bodies are 400.
		{"truncated JSON is malformed", "POST", "/v1/meters", `{"key": "m1", `, 400, "malformed_request", nil},
		{"a body that is not JSON is malformed", "POST", "/v1/plans", `key=p1&currency=USD`, 400, "malformed_request", nil},
		{"a JSON array body is malformed", "POST", "/v1/customers", `[{"external_id": "c1"}]`, 400, "malformed_request", nil},
		{"an empty body is malformed", "POST", "/v1/subscriptions", ``, 400, "malformed_request", nil},
		{"a JSON null body is malformed", "POST", "/v1/meters", `null`, 400, "malformed_request", nil},

		// Valid JSON of the wrong types is 422 with the field named.
		{"a meter key given as a number is refused with key named", "POST", "/v1/meters",
			`{"key": 5, "event_name": "e", "aggregation": {"type": "count"}}`, 422, v, []string{"key"}},
		{"an aggregation given as a string is refused with aggregation named", "POST", "/v1/meters",
			`{"key": "m1", "event_name": "e", "aggregation": "sum"}`, 422, v, []string{"aggregation"}},
		{"prices given as an object are refused with prices named", "POST", "/v1/plans",
			`{"key": "p1", "currency": "USD", "interval": "month", "prices": {}}`, 422, v, []string{"prices"}},
		{"a price type given as a number is named by the price's index", "POST", "/v1/plans",
			`{"key": "p1", "currency": "USD", "interval": "month", "prices": [{"key": "a", "type": "fixed", "amount": "1"}, {"key": "b", "type": 7}]}`, 422, v, []string{"prices[1].type"}},
		{"an amount given as a boolean is refused with the amount named", "POST", "/v1/plans",
			`{"key": "p1", "currency": "USD", "interval": "month", "prices": [{"key": "a", "type": "fixed", "amount": true}]}`, 422, v, []string{"prices[0].amount"}},
		{"an amount that is a string but not a decimal is refused with the amount named", "POST", "/v1/plans",
			`{"key": "p1", "currency": "USD", "interval": "month", "prices": [{"key": "a", "type": "fixed", "amount": "ten"}]}`, 422, v, []string{"prices[0].amount"}},
		{"a tier bound that is not a decimal is refused with the tier named", "POST", "/v1/plans",
			`{"key": "p1", "currency": "USD", "interval": "month", "prices": [{"key": "a", "type": "usage", "meter": "calls", "model": "tiered", "tiers": [{"up_to": "1k", "unit_amount": "1"}, {"up_to": null, "unit_amount": "1"}]}]}`,
			422, v, []string{"prices[0].tiers[0].up_to"}},
		{"filters holding objects are refused with filters named", "POST", "/v1/meters",
			`{"key": "m1", "event_name": "e", "aggregation": {"type": "count"}, "filters": {"model": [{"a": 1}]}}`, 422, v, []string{"filters"}},
		{"a customer currency given as a number is refused with currency named", "POST", "/v1/customers",
			`{"external_id": "c1", "currency": 840}`, 422, v, []string{"currency"}},
		{"a start_at that is not a timestamp is refused with start_at named", "POST", "/v1/subscriptions",
			`{"customer": "usd_cust", "plan": "usd_plan", "start_at": "yesterday"}`, 422, v, []string{"start_at"}},
		{"several wrong types in one body are all named", "POST", "/v1/subscriptions",
			`{"customer": "usd_cust", "plan": ["usd_plan"], "start_at": 1700000000, "trial_days": "3"}`, 422, v, []string{"plan", "start_at", "trial_days"}},

		// Text no store can hold.
		{"a NUL character in a customer's external_id is refused with the field named", "POST", "/v1/customers",
			obj{"external_id": "acme\u0000", "currency": "USD"}, 422, v, []string{"external_id"}},
		{"NUL characters in a meter's name and event_name are refused with both named", "POST", "/v1/meters",
			obj{"key": "m1", "name": "\u0000", "event_name": "e\u0000", "aggregation": obj{"type": "count"}}, 422, v, []string{"name", "event_name"}},
		{"a NUL character in a price's key is refused with the price named", "POST", "/v1/plans",
			planWith("p1", obj{"key": "a\u0000", "type": "fixed", "amount": "1"}), 422, v, []string{"prices[0].key"}},
		{"a NUL character in a plan description update is refused", "PATCH", "/v1/plans/{usd_plan}",
			obj{"description": "x\u0000"}, 422, v, []string{"description"}},
		{"a NUL character in a query parameter is malformed", "GET", "/v1/events?customer=%00", nil, 400, "malformed_request", nil},
		{"invalid UTF-8 in a query parameter is malformed", "GET", "/v1/meters?cursor=%ff", nil, 400, "malformed_request", nil},
		{"a NUL character in a path id is malformed", "DELETE", "/v1/api_keys/key_%00", nil, 400, "malformed_request", nil},

		// Query parameters.
		{"a limit that is not a number is refused", "GET", "/v1/meters?limit=ten", nil, 422, v, []string{"limit"}},
		{"a limit above 500 is refused", "GET", "/v1/customers?limit=501", nil, 422, v, []string{"limit"}},
		{"a negative limit is refused", "GET", "/v1/plans?limit=-1", nil, 422, v, []string{"limit"}},
		{"a cursor the events list never gave out is refused", "GET", "/v1/events?cursor=garbage", nil, 422, v, []string{"cursor"}},
		{"an events filter time that is not RFC 3339 is refused", "GET", "/v1/events?from=yesterday", nil, 422, v, []string{"from"}},
		{"include_archived that is not a boolean is refused", "GET", "/v1/plans?include_archived=maybe", nil, 422, v, []string{"include_archived"}},
		{"a usage query without a meter is refused", "GET", "/v1/customers/{usd_cust}/usage", nil, 422, v, []string{"meter"}},
		{"a usage query for an unknown meter is refused", "GET", "/v1/customers/{usd_cust}/usage?meter=nope", nil, 422, v, []string{"meter"}},
		{"a usage query of unknown granularity is refused", "GET", "/v1/customers/{usd_cust}/usage?meter=calls&granularity=week", nil, 422, v, []string{"granularity"}},
		{"a usage query ending before it starts is refused", "GET",
			"/v1/customers/{usd_cust}/usage?meter=calls&from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", nil, 422, v, []string{"to"}},

		// Unknown ids.
		{"an unknown meter id is a 404", "GET", "/v1/meters/mtr_nope", nil, 404, "not_found", nil},
		{"an unknown plan id is a 404", "PATCH", "/v1/plans/pln_nope", obj{"name": "x"}, 404, "not_found", nil},
		{"an unknown customer id is a 404", "GET", "/v1/customers/cus_nope/usage?meter=calls", nil, 404, "not_found", nil},
		{"an unknown subscription id is a 404", "GET", "/v1/subscriptions/sub_nope", nil, 404, "not_found", nil},
		{"an unknown route is a 404 in the error shape", "GET", "/v1/nothing_here", nil, 404, "not_found", nil},
	}
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "validation")
		f.countMeter("calls", "api.call")
		ids := map[string]string{"{usd_plan}": f.flatPlan("usd_plan", "USD"), "{usd_cust}": f.customer("usd_cust", "USD"), "{eur_cust}": f.customer("eur_cust", "EUR")}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				path := c.path
				for k, id := range ids {
					path = strings.ReplaceAll(path, k, id)
				}
				wantError(t, call(t, s, c.method, path, f.key, c.body), c.status, c.code, c.fields...)
			})
		}
		// Nothing refused was stored.
		for path, n := range map[string]int{"/v1/plans": 1, "/v1/meters": 1, "/v1/customers": 2, "/v1/subscriptions": 0} {
			var pg page[map[string]any]
			must(t, s, 200, "GET", path+"?include_archived=true", f.key, nil).Decode(t, &pg)
			if len(pg.Data) != n {
				t.Errorf("%s holds %d rows after refused requests, want %d", path, len(pg.Data), n)
			}
		}
	})
}

// TestBadBodiesNeverAnswer500 sends odd but possible bodies to every route
// that takes one: each must answer 4xx (or succeed), never 500.
func TestBadBodiesNeverAnswer500(t *testing.T) {
	bodies := []string{
		`null`, `[]`, `"text"`, `42`, `{}`, `{"a":`, `{"key": {}}`, `{"key": []}`, `{"name": null}`,
		`{"prices": [null]}`, `{"prices": [{"tiers": [null, 1]}]}`, `{"events": [null, 1, "x", []]}`,
		`{"events": null}`, `{"events": [{"properties": null}]}`, `{"filters": {"a": "b"}}`, `{"filters": []}`,
		`{"aggregation": null}`, `{"amount": 1e400}`, `{"prices": [{"amount": 1e999999}]}`,
		`{"key": "\u0000"}`, `{"id": "x", "event_name": "e", "customer": "c", "properties": {"a": "\u0000"}}`,
		`{"start_at": "0000-00-00T00:00:00Z"}`, `{"trial_days": 1e10}`, `{"kind": "admin", "name": "` + strings.Repeat("x", 5000) + `"}`,
		`{"customer": "c", "plan": "p", "start_at": "9999-12-31T23:59:59Z"}`,
		`{"name": "\ud800", "description": "\udfff\ud800", "external_id": "\ud800", "currency": "USD", "key": "k\u0000"}`,
		`{"id": "\ud800", "event_name": "\ud800", "customer": "\ud800", "properties": {"\ud800": "\udc00"}}`,
		`{"events": [{"id": "a", "event_name": "e", "customer": "c", "properties": {"n": 1e999999, "m": "\u0000"}}]}`,
		`{"filters": {"\u0000": ["\u0000"]}, "key": "k", "event_name": "e", "aggregation": {"type": "count"}}`,
		`{"key": "k", "currency": "USD", "interval": "month", "prices": [{"key": "u", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "1", "filters": {"m\u0000": ["\u0000"]}}]}`,
		`{"amount": 1e999999999999, "prices": [{"amount": "1e-99999999999"}]}`,
		strings.Repeat(`{"a":`, 2000) + `1` + strings.Repeat(`}`, 2000),
	}
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "fuzz")
		ids := map[string]string{}
		ids["mtr"] = f.countMeter("calls", "api.call")
		ids["pln"] = f.flatPlan("usd_plan", "USD")
		ids["cus"] = f.customer("usd_cust", "USD")
		for _, r := range s.App.API.Echo().Routes() {
			if r.Method != "POST" && r.Method != "PATCH" && r.Method != "PUT" {
				continue
			}
			path := r.Path
			if strings.Contains(path, ":id") {
				prefix := map[string]string{"meters": "mtr", "plans": "pln", "customers": "cus"}[strings.Split(path, "/")[2]]
				id := ids[prefix]
				if id == "" {
					id = "x_unknown"
				}
				path = strings.ReplaceAll(path, ":id", id)
			}
			key := f.key
			if r.Path == "/v1/tenants" {
				key = apptest.RootKey
			}
			for _, b := range bodies {
				res := call(t, s, r.Method, path, key, b)
				if res.Status >= 500 {
					t.Errorf("%s %s with %.60s: status %d: %s", r.Method, path, b, res.Status, res.Body)
				}
			}
		}
	})
}
