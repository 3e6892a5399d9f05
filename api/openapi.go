package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/meters"
)

// schemas names the Go types behind each request and response body; the
// OpenAPI components are derived from their JSON tags, so they cannot drift
// from what the handlers really read and write.
var schemas = map[string]any{
	"Health":               map[string]string{},
	"Error":                errorBody{},
	"TenantCreate":         tenantCreateReq{},
	"TenantCreated":        struct{ ID, Name, APIKey, CreatedAt string }{},
	"APIKeyCreate":         keyCreateReq{},
	"APIKey":               apiKeyJSON{},
	"APIKeyCreated":        apiKeyJSON{},
	"APIKeyList":           listBody[apiKeyJSON]{},
	"MeterCreate":          meterReq{},
	"MeterUpdate":          meterUpdateReq{},
	"Meter":                meterJSON{},
	"MeterList":            listBody[meterJSON]{},
	"PlanCreate":           planReq{},
	"PlanUpdate":           planUpdateReq{},
	"Plan":                 planJSON{},
	"PlanList":             listBody[planJSON]{},
	"CustomerCreate":       customerReq{},
	"CustomerUpdate":       customerUpdateReq{},
	"Customer":             customerJSON{},
	"CustomerList":         listBody[customerJSON]{},
	"SubscriptionCreate":   subscriptionReq{},
	"Subscription":         subscriptionJSON{},
	"SubscriptionList":     listBody[subscriptionJSON]{},
	"Event":                eventReq{},
	"EventBatch":           struct{ Events []eventReq }{},
	"EventList":            listBody[eventJSON]{},
	"IngestResult":         ingestJSON{},
	"UsageSeries":          seriesJSON{},
	"Invoice":              invoiceJSON{},
	"InvoiceList":          listBody[invoiceJSON]{},
	"InvoiceRunCreate":     runReq{},
	"InvoiceRun":           runJSON{},
	"CancelRequest":        cancelReq{},
	"CreditGrantCreate":    grantReq{},
	"CreditGrant":          grantJSON{},
	"CreditGrantList":      grantListJSON{},
	"CreditBalance":        creditBalanceJSON{},
	"CreditLedger":         listBody[ledgerEntryJSON]{},
	"ChangePlanRequest":    changePlanReq{},
	"SubscriptionChange":   changeJSON{},
	"TestClock":            testClockJSON{},
	"TestClockSet":         testClockIn{},
	"PlanCompare":          compareReq{},
	"PlanComparison":       comparisonJSON{},
	"PlanBreakEvenRequest": breakEvenReq{},
	"PlanBreakEven":        breakEvenJSON{},
}

var (
	decimalType = reflect.TypeOf(decimal.Decimal{})
	timeType    = reflect.TypeOf(time.Time{})
	rawType     = reflect.TypeOf(json.RawMessage{})
	filtersType = reflect.TypeOf(meters.Filters{})
	pathParam   = regexp.MustCompile(`:([a-z_]+)`)
	snake       = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// schemaOf describes a Go type as a JSON schema.
func schemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case decimalType:
		return map[string]any{"type": "string", "format": "decimal", "description": "exact decimal; requests also accept a JSON number"}
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawType:
		return map[string]any{"type": "object"}
	case filtersType:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "array", "items": map[string]any{"type": []string{"string", "number", "boolean"}}},
			"description": "an event passes when, for each property, its value equals one listed value as JSON values: 100 = 1e2 = 100.0, \"1\" is not 1"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(snake.ReplaceAllString(f.Name, "${1}_${2}"))
			}
			props[name] = schemaOf(f.Type)
		}
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
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

// document builds the OpenAPI 3.1 document from the route table.
func (s *Server) document() map[string]any {
	paths := map[string]map[string]any{}
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
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "string"}})
		}
		if r.idempotent() {
			params = append(params, idempotencyKeyParam)
		}
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
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(r.Request)}}}
		}
		ok := map[string]any{"description": http.StatusText(r.Status)}
		if r.Response != "" {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(r.Response)}}
		}
		errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
		if r.idempotent() {
			ok["headers"], errResp["headers"] = replayedHeader, replayedHeader
		}
		op["responses"] = map[string]any{itoa(r.Status): ok, "default": errResp}
		paths[p][strings.ToLower(r.Method)] = op
	}
	comps := map[string]any{}
	for name, v := range schemas {
		comps[name] = schemaOf(reflect.TypeOf(v))
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Tally API", "version": "v1",
			"description": "Usage-based billing: meters, plans, customers, subscriptions, events, invoices. Money and quantities are decimal strings; periods are half-open."},
		"paths": paths,
		"components": map[string]any{
			"schemas":         comps,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func (s *Server) openapi(c echo.Context) error {
	return c.JSON(http.StatusOK, s.document())
}
