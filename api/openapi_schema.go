package api

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
	"github.com/tallyhq/tally/tenants"
)

// The JSON types of this package describe themselves in the OpenAPI
// document through their struct tags, so the schema stays beside the type:
//
//   - json:"name" names the property; a field without omitempty is always
//     present in replies, hence required in a response schema.
//   - openapi:"…" is a comma-separated list of:
//     required     the client must send the field (request schemas; in a
//     reply it forces required even with omitempty);
//     nullable     the value may be null (pointer fields always may);
//     decimal      a string holding an exact decimal (requests also take a
//     JSON number; decimal.Decimal fields are decimal already);
//     date-time    an RFC 3339 timestamp string (time.Time already is);
//     enum=NAME    one of the values of enums[NAME];
//     min=N, max=N a bound (integers: value; strings: length; arrays: items).
//   - doc:"…" is the property's description.

// direction says whether a schema describes what clients send or what the
// server replies; required and number-or-string decimals differ.
type direction int

const (
	request direction = iota
	response
)

// enums are the closed value sets of the API, taken from the domain's
// constants so the document follows the code.
var enums = map[string][]string{
	"key_kind":             strs(tenants.KindAdmin, tenants.KindIngest),
	"aggregation":          strs(meters.Count, meters.Sum, meters.Max, meters.UniqueCount, meters.Latest, meters.UnitDays),
	"granularity":          strs(meters.Hour, meters.Day),
	"price_type":           strs(plans.Fixed, plans.Usage),
	"model":                strs(rating.ModelFlat, rating.ModelPerUnit, rating.ModelPackage, rating.ModelTiered),
	"tier_mode":            strs(rating.ModeGraduated, rating.ModeVolume),
	"rounding":             strs(rating.RoundUp, rating.RoundDown, rating.RoundNone),
	"cadence":              strs(plans.Advance, plans.Arrear),
	"interval":             strs(calendar.Day, calendar.Week, calendar.Month, calendar.Quarter, calendar.Year),
	"billing_cycle":        strs(cycle.Calendar, cycle.Anniversary),
	"recommendation_basis": {advisor.BasisLastPeriod, advisor.BasisCurrentProjected},
	"subscription_status":  strs(customers.Scheduled, customers.Trialing, customers.Active, customers.Ended),
	"invoice_status":       strs(invoicing.Proposed, invoicing.Draft, invoicing.Finalized, invoicing.Paid, invoicing.Void, invoicing.Uncollectible),
	"billing_reason":       strs(invoicing.SubscriptionStart, invoicing.Cycle, invoicing.Cancel, invoicing.PlanChange, invoicing.Manual),
	"run_status":           strs(invoicing.RunRunning, invoicing.RunCompleted, invoicing.RunCompletedWithFailures, invoicing.RunFailed, invoicing.RunAbandoned),
	"applies_to":           strs(credits.AppliesUsage, credits.AppliesAll),
	"usable":               strs(credits.OnPayment, credits.Immediately),
	"grant_status":         strs(credits.StatusActive, credits.StatusAwaitingPayment, credits.StatusExpired, credits.StatusVoided),
	"ledger_kind":          strs(credits.KindGrant, credits.KindDraw, credits.KindRelease, credits.KindVoid, credits.KindExpiry),
	"health":               {"ok", "unavailable"},
	"budget_period":        {budgets.BillingPeriod},
	"budget_kind":          {"spend", "usage"},
	"portal_token_status":  {tokenActive, tokenExpired, tokenRevoked},
}

func strs[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// decimalPattern is what a decimal string in a reply looks like.
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

var (
	decimalType = reflect.TypeOf(decimal.Decimal{})
	timeType    = reflect.TypeOf(time.Time{})
	rawType     = reflect.TypeOf(json.RawMessage{})
	numberType  = reflect.TypeOf(json.Number(""))
	filtersType = reflect.TypeOf(meters.Filters{})
	snake       = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// fieldTag is a parsed openapi struct tag.
type fieldTag struct {
	required, nullable, decimal, dateTime bool
	enum                                  string
	min, max                              *int
}

func parseTag(s string) fieldTag {
	var t fieldTag
	for _, part := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "required":
			t.required = true
		case "nullable":
			t.nullable = true
		case "decimal":
			t.decimal = true
		case "date-time":
			t.dateTime = true
		case "enum":
			if _, ok := enums[v]; !ok {
				panic("openapi tag: unknown enum " + v)
			}
			t.enum = v
		case "min", "max":
			n, err := strconv.Atoi(v)
			if err != nil {
				panic("openapi tag: bad bound " + part)
			}
			if k == "min" {
				t.min = &n
			} else {
				t.max = &n
			}
		case "":
		default:
			panic("openapi tag: unknown option " + k)
		}
	}
	return t
}

func decimalSchema(d direction) map[string]any {
	if d == request {
		return map[string]any{"type": []any{"string", "number"}, "format": "decimal", "pattern": decimalPattern,
			"description": requestDecimalDoc}
	}
	return map[string]any{"type": "string", "format": "decimal", "pattern": decimalPattern, "description": "exact decimal"}
}

// schemaOf describes a Go type as a JSON schema, as sent (request) or
// received (response).
func schemaOf(t reflect.Type, d direction) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case decimalType:
		return decimalSchema(d)
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawType:
		return map[string]any{"type": "object", "description": "any JSON object"}
	case numberType:
		return map[string]any{"type": "number", "description": "an exact number, written as its decimal literal"}
	case filtersType:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "array", "items": map[string]any{"type": []any{"string", "number", "boolean"}}},
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
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), d)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), d)}
	case reflect.Struct:
		return structSchema(t, d)
	}
	return map[string]any{}
}

func structSchema(t reflect.Type, d direction) map[string]any {
	props := map[string]any{}
	var required []any
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		jsonTag := strings.Split(f.Tag.Get("json"), ",")
		name := jsonTag[0]
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(snake.ReplaceAllString(f.Name, "${1}_${2}"))
		}
		omitempty := false
		for _, o := range jsonTag[1:] {
			omitempty = omitempty || o == "omitempty"
		}
		tag := parseTag(f.Tag.Get("openapi"))
		p := fieldSchema(f.Type, tag, d)
		if doc := f.Tag.Get("doc"); doc != "" {
			p["description"] = doc
		}
		props[name] = p
		if tag.required || (d == response && !omitempty) {
			required = append(required, name)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if required != nil {
		s["required"] = required
	}
	return s
}

// fieldSchema is the schema of one property: its type's, refined by its tag.
func fieldSchema(t reflect.Type, tag fieldTag, d direction) map[string]any {
	var s map[string]any
	switch {
	case tag.decimal:
		s = decimalSchema(d)
	case tag.dateTime:
		s = map[string]any{"type": "string", "format": "date-time"}
	default:
		s = schemaOf(t, d)
	}
	if tag.enum != "" {
		var vs []any
		for _, v := range enums[tag.enum] {
			vs = append(vs, v)
		}
		s["enum"] = vs
	}
	if tag.min != nil || tag.max != nil {
		lo, hi := "minimum", "maximum"
		switch s["type"] {
		case "string":
			lo, hi = "minLength", "maxLength"
		case "array":
			lo, hi = "minItems", "maxItems"
		}
		if tag.min != nil {
			s[lo] = *tag.min
		}
		if tag.max != nil {
			s[hi] = *tag.max
		}
	}
	if _, set := s["maxLength"]; d == request && s["type"] == "string" && !set && tag.enum == "" {
		s["maxLength"] = domain.MaxText // decode refuses longer text
	}
	if tag.nullable || t.Kind() == reflect.Pointer {
		s = nullable(s)
	}
	return s
}

// nullable lets s also be null (OpenAPI 3.1: a type list with "null").
func nullable(s map[string]any) map[string]any {
	switch ty := s["type"].(type) {
	case string:
		s["type"] = []any{ty, "null"}
	case []any:
		s["type"] = append(ty, "null")
	}
	if e, ok := s["enum"].([]any); ok {
		s["enum"] = append(e, nil)
	}
	return s
}
