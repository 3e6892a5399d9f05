package api

import (
	"fmt"
	"reflect"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// requestDecimalDoc describes a request decimal in the OpenAPI document,
// limits included.
var requestDecimalDoc = fmt.Sprintf("exact decimal: a string, or a JSON number parsed exactly from its literal; "+
	"at most %d digits before the point and %d after (beyond: 422 validation_failed naming the field)",
	domain.MaxDecimalIntegerDigits, domain.MaxDecimalPlaces)

// requestLimitProblems walks a decoded request value and records, under
// its JSON path ("prices[1].tiers[0].up_to", "usage.tokens"), every
// decimal beyond domain's request limits (domain.MaxDecimalIntegerDigits
// before the point, domain.MaxDecimalPlaces after) and every string (map
// keys included) beyond domain.MaxText characters. Every request body that
// decode reads is checked, so no handler can store `1e400` or a 1 MB name.
// Raw JSON (event properties) has limits of its own (meters).
func requestLimitProblems(p *domain.Problems, v reflect.Value, path string) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	field := path
	if field == "" {
		field = "body"
	}
	if v.Type() == decimalType {
		domain.AddDecimalProblems(p, field, v.Interface().(decimal.Decimal))
		return
	}
	switch v.Kind() {
	case reflect.String:
		domain.AddTextProblems(p, field, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name, decoded := jsonName(t.Field(i))
			if !decoded {
				continue
			}
			requestLimitProblems(p, v.Field(i), joinPath(path, name))
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // raw JSON and bytes hold no decoded decimal
			return
		}
		for i := 0; i < v.Len(); i++ {
			requestLimitProblems(p, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		for _, k := range v.MapKeys() {
			domain.AddTextProblems(p, field, k.String())
			requestLimitProblems(p, v.MapIndex(k), joinPath(path, k.String()))
		}
	}
}
