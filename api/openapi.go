package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// schemas names the Go types behind each request and response body; the
// OpenAPI components are derived from their JSON tags, so they cannot drift
// from what the handlers really read and write.
var schemas = map[string]any{
	"Health":                healthJSON{},
	"WebhookReceived":       webhookReceivedJSON{},
	"Error":                 errorBody{},
	"PeerError":             peerErrorDoc{},
	"TenantCreate":          tenantCreateReq{},
	"TenantCreated":         tenantCreatedJSON{},
	"APIKeyCreate":          keyCreateReq{},
	"APIKey":                apiKeyJSON{},
	"APIKeyCreated":         apiKeyJSON{},
	"APIKeyList":            listBody[apiKeyJSON]{},
	"MeterCreate":           meterReq{},
	"MeterUpdate":           meterUpdateReq{},
	"Meter":                 meterJSON{},
	"MeterList":             listBody[meterJSON]{},
	"PlanCreate":            planReq{},
	"PlanUpdate":            planUpdateReq{},
	"Plan":                  planJSON{},
	"PlanList":              listBody[planJSON]{},
	"CustomerCreate":        customerReq{},
	"CustomerUpdate":        customerUpdateReq{},
	"Customer":              customerJSON{},
	"CustomerList":          listBody[customerJSON]{},
	"SubscriptionCreate":    subscriptionReq{},
	"Subscription":          subscriptionJSON{},
	"SubscriptionList":      listBody[subscriptionJSON]{},
	"Event":                 eventReq{},
	"EventBatch":            eventBatchDoc{},
	"EventList":             listBody[eventJSON]{},
	"IngestResult":          ingestJSON{},
	"UsageSeries":           seriesJSON{},
	"Invoice":               invoiceJSON{},
	"InvoiceList":           listBody[invoiceJSON]{},
	"InvoiceRunCreate":      runReq{},
	"InvoiceRun":            runJSON{},
	"CancelRequest":         cancelReq{},
	"CreditGrantCreate":     grantReq{},
	"CreditGrant":           grantJSON{},
	"CreditGrantList":       grantListJSON{},
	"CreditBalance":         creditBalanceJSON{},
	"CreditLedger":          listBody[ledgerEntryJSON]{},
	"ChangePlanRequest":     changePlanReq{},
	"SubscriptionChange":    changeJSON{},
	"TestClock":             testClockJSON{},
	"TestClockSet":          testClockIn{},
	"WebhookEndpointCreate": webhookEndpointReq{},
	"WebhookEndpointUpdate": webhookEndpointReq{},
	"WebhookEndpoint":       webhookEndpointJSON{},
	"WebhookEndpointList":   listBody[webhookEndpointJSON]{},
	"WebhookDelivery":       webhookDeliveryJSON{},
	"WebhookDeliveryList":   listBody[webhookDeliveryJSON]{},
	"FlexpriceBulk":         struct{ Events []flexpriceEventReq }{},
	"FlexpriceAccepted":     map[string]string{},
	"LagoEvent":             struct{ Event lagoEventReq }{},
	"LagoEventReply":        struct{ Event lagoEventJSON }{},
	"LagoBatch":             struct{ Events []lagoEventReq }{},
	"LagoBatchReply":        struct{ Events []lagoEventJSON }{},
	"LagoCurrentUsage":      struct{ CustomerUsage lagoUsageJSON }{},
	"MeterQuery":            meterQueryReq{},
	"MeterQueryResult":      meterQueryJSON{},
	"PlanCompare":           compareReq{},
	"PlanComparison":        comparisonJSON{},
	"PlanBreakEvenRequest":  breakEvenReq{},
	"PlanBreakEven":         breakEvenJSON{},
	"PlanRecommendation":    recommendationJSON{},
	"PlanBacktestRequest":   backtestReq{},
	"PlanBacktest":          backtestJSON{},
	"CustomerMargin":        marginJSON{},
	"BudgetCreate":          budgetReq{},
	"Budget":                budgetJSON{},
	"BudgetList":            budgetListJSON{},
	"Settings":              settingsJSON{},
	"SettingsUpdate":        settingsUpdateReq{},
	"PortalTokenCreate":     portalTokenReq{},
	"PortalTokenCreated":    portalTokenCreatedJSON{},
	"PortalToken":           portalTokenJSON{},
	"PortalTokenList":       listBody[portalTokenJSON]{},
	"PortalUsage":           portalUsageJSON{},
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func jsonContent(schema string) map[string]any {
	media := map[string]any{"schema": ref(schema)}
	if ex, ok := examples[schema]; ok {
		media["example"] = ex
	}
	return map[string]any{"application/json": media}
}

// queryParams are the schemas of the query parameters routes name in
// route.Query: one meaning per name across the API.
var queryParams = map[string]map[string]any{
	"limit":                  {"description": "Rows per page.", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
	"cursor":                 {"description": "The next_cursor of the previous page.", "schema": map[string]any{"type": "string"}},
	"include_archived":       {"description": "Also list archived rows.", "schema": map[string]any{"type": "boolean", "default": false}},
	"at":                     {"description": "The instant to compute at (default now).", "schema": map[string]any{"type": "string", "format": "date-time"}},
	"from":                   {"description": "Start of the window (inclusive).", "schema": map[string]any{"type": "string", "format": "date-time"}},
	"to":                     {"description": "End of the window (exclusive).", "schema": map[string]any{"type": "string", "format": "date-time"}},
	"granularity":            {"description": "Bucket size of the series.", "schema": enumSchema("granularity", "day")},
	"status":                 {"description": "Only invoices in this status.", "schema": enumSchema("invoice_status", "")},
	"meter":                  {"description": "The meter's key.", "schema": map[string]any{"type": "string"}, "required": true},
	"customer":               {"description": "The customer: its id (cus_…).", "schema": map[string]any{"type": "string"}},
	"plan":                   {"description": "The plan's key.", "schema": map[string]any{"type": "string"}},
	"subscription":           {"description": "The subscription's id (sub_…).", "schema": map[string]any{"type": "string"}},
	"event_name":             {"description": "Only events of this name.", "schema": map[string]any{"type": "string"}},
	"basis":                  {"description": "The usage a recommendation compares on: the last closed period, or the current one projected linearly to its end by elapsed time.", "schema": enumSchema("recommendation_basis", "last_period")},
	"include_external_costs": {"description": "Add each plan's external costs (never invoiced) to its total.", "schema": map[string]any{"type": "boolean", "default": false}},
	// Compatibility routes (Lago, OpenMeter), in their own spelling.
	"external_subscription_id": {"description": "Lago: the subscription's external_id.", "schema": map[string]any{"type": "string"}, "required": true},
	"windowSize":               {"description": "OpenMeter: the window of each value.", "schema": map[string]any{"type": "string", "enum": []any{"MINUTE", "HOUR", "DAY"}}},
	"subject":                  {"description": "OpenMeter: only this subject (a customer's external_id).", "schema": map[string]any{"type": "string"}},
	"groupBy":                  {"description": "OpenMeter: group the values (subject only).", "schema": map[string]any{"type": "string"}},
}

func enumSchema(name, def string) map[string]any {
	s := map[string]any{"type": "string"}
	var vs []any
	for _, v := range enums[name] {
		vs = append(vs, v)
	}
	s["enum"] = vs
	if def != "" {
		s["default"] = def
	}
	return s
}

func queryParam(name string) map[string]any {
	p := map[string]any{"name": name, "in": "query", "required": false}
	q, ok := queryParams[name]
	if !ok {
		panic("openapi: query parameter " + name + " has no schema in queryParams")
	}
	for k, v := range q {
		p[k] = v
	}
	return p
}

// idempotencyKeyParam and replayedHeader describe idempotent POSTs (see
// Server.idempotent).
var (
	idempotencyKeyParam = map[string]any{"name": HeaderIdempotencyKey, "in": "header", "required": false,
		"schema": map[string]any{"type": "string", "minLength": 1, "maxLength": 255},
		"description": "Makes the POST safe to retry: a retry with the same key and body within 24 h replays the first reply " +
			"(a 5xx is not stored); another body with the key is 422 idempotency_key_reused; a retry while the first runs is " +
			"409 idempotency_in_progress. Keys are per API key."}
	replayedHeader = map[string]any{HeaderIdempotentReplayed: map[string]any{
		"description": "\"true\" when the reply is the stored one of an earlier request with the same Idempotency-Key.",
		"schema":      map[string]any{"type": "string", "enum": []any{"true"}}}}
)

// errorMeaning describes each error status in the document.
var errorMeaning = map[int]string{
	400: "Malformed request (bad JSON, unknown field, wrong type).",
	401: "No key, or an unknown, revoked or (portal tokens) expired one.",
	403: "The key may not use this route.",
	404: "No such resource in the key's tenant.",
	409: "Conflict: duplicate key, illegal state change, or an idempotent retry still running.",
	413: "Request body too large.",
	422: "Valid JSON with invalid values (details name the fields).",
	429: "Rate limited; retry after Retry-After seconds.",
	500: "Internal error; the request id is in X-Request-Id.",
	502: "Stripe failed.",
	503: "The database is unavailable for now; retry after Retry-After seconds.",
	507: "The database has no space left (code storage_full): nothing was stored; retry after Retry-After seconds, once space is freed.",
}

// errorStatuses are the error replies a route can give, derived from what
// it is: authenticated (401, 403, 429), with path ids (404), with a body or
// query (400, 422), changing state (409), touching the database (503, and
// 507 when it is full);
// route.Errors adds the rest.
func errorStatuses(r route) []int {
	// Every route rejects a path or query with NUL or invalid UTF-8 (checkURL).
	out := []int{400}
	if r.Path == "/healthz" || r.Path == "/metrics" || r.Path == "/openapi.json" {
		return out
	}
	out = append(out, 500, 503, 507)
	if r.Access != Public {
		out = append(out, 401, 403, 429)
	} else if r.Path != "/readyz" {
		out = append(out, 429)
	}
	if strings.Contains(r.Path, ":") || strings.HasPrefix(r.Path, "/v1/test_clock") { // test clocks off: 404
		out = append(out, 404)
	}
	if r.Request != "" || r.Method == "POST" {
		out = append(out, 413)
	}
	if r.Request != "" || len(r.Query) > 0 || r.idempotent() {
		out = append(out, 422)
	}
	if r.Method != "GET" && r.Method != "HEAD" && r.Access != Public {
		out = append(out, 409)
	}
	out = append(out, r.Errors...)
	slices.Sort(out)
	return slices.Compact(out)
}

// document builds the OpenAPI 3.1 document from the route table and the
// JSON types' tags.
func (s *Server) document() map[string]any {
	paths := map[string]map[string]any{}
	requests := map[string]bool{}
	for _, r := range s.routes {
		if r.Request != "" {
			requests[r.Request] = true
		}
	}
	for _, r := range s.routes {
		p := pathParam.ReplaceAllString(r.Path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range r.Query {
			params = append(params, queryParam(q))
		}
		if r.idempotent() {
			params = append(params, idempotencyKeyParam)
		}
		head := r.Method == "HEAD"
		op := map[string]any{"summary": r.Summary, "operationId": strings.ToLower(r.Method) + strings.ReplaceAll(pathParam.ReplaceAllString(r.Path, "by_$1"), "/", "_")}
		if params != nil {
			op["parameters"] = params
		}
		if r.Access != Public {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			op["x-tally-access"] = string(r.Access)
		} else {
			op["security"] = []any{} // no key needed
		}
		if r.Request != "" {
			op["requestBody"] = map[string]any{"required": true, "content": jsonContent(r.Request)}
		}
		ok := map[string]any{"description": http.StatusText(r.Status)}
		if r.Response != "" && !head {
			ok["content"] = jsonContent(r.Response)
			if len(r.Alt) > 0 {
				one := []any{ref(r.Response)}
				for _, a := range r.Alt {
					one = append(one, ref(a))
				}
				ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"anyOf": one}}}
			}
		}
		if r.idempotent() {
			ok["headers"] = replayedHeader
		}
		responses := map[string]any{strconv.Itoa(r.Status): ok}
		for _, st := range r.Empty {
			responses[strconv.Itoa(st)] = map[string]any{"description": http.StatusText(st)}
		}
		for _, st := range r.Also {
			also := maps.Clone(ok)
			also["description"] = http.StatusText(st)
			responses[strconv.Itoa(st)] = also
		}
		for _, st := range errorStatuses(r) {
			e := map[string]any{"description": errorMeaning[st]}
			schema := "Error"
			if r.Path == "/readyz" && st == 503 {
				schema = "Health"
			}
			if !head {
				e["content"] = map[string]any{"application/json": map[string]any{"schema": ref(schema)}}
				if r.Peer {
					either := map[string]any{"schema": map[string]any{"anyOf": []any{ref(schema), ref("PeerError")}}}
					e["content"] = map[string]any{"application/json": either, "application/problem+json": map[string]any{"schema": ref("PeerError")}}
				}
			}
			if r.idempotent() {
				e["headers"] = replayedHeader
			}
			responses[strconv.Itoa(st)] = e
		}
		op["responses"] = responses
		paths[p][strings.ToLower(r.Method)] = op
	}
	comps := map[string]any{}
	for name, v := range schemas {
		d := response
		if requests[name] {
			d = request
		}
		comps[name] = schemaOf(reflect.TypeOf(v), d)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Tally API", "version": "v1",
			"description": "Usage-based billing: meters, plans, customers, subscriptions, events, invoices. Money and quantities are decimal strings; periods are half-open.",
			"license":     map[string]any{"name": "Proprietary", "identifier": "LicenseRef-Tally"}},
		"servers": []any{map[string]any{"url": "/", "description": "This server."}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         comps,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

// OpenAPI returns the OpenAPI 3.1 document the server publishes at
// /openapi.json, indented.
func (s *Server) OpenAPI() ([]byte, error) {
	return json.MarshalIndent(s.document(), "", "  ")
}

func (s *Server) openapi(c echo.Context) error {
	return c.JSON(http.StatusOK, s.document())
}
