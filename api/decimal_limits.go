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

// decimalLimitProblems walks a decoded request value and records, under
// its JSON path ("prices[1].tiers[0].up_to", "usage.tokens"), every
// decimal beyond domain's request limits (domain.MaxDecimalIntegerDigits
// before the point, domain.MaxDecimalPlaces after). Every request body that
// decode reads is checked, so no handler can store `1e400`.
func decimalLimitProblems(p *domain.Problems, v reflect.Value, path string) {
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
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name, decoded := jsonName(t.Field(i))
			if !decoded {
				continue
			}
			decimalLimitProblems(p, v.Field(i), joinPath(path, name))
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // raw JSON and bytes hold no decoded decimal
			return
		}
		for i := 0; i < v.Len(); i++ {
			decimalLimitProblems(p, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		for _, k := range v.MapKeys() {
			decimalLimitProblems(p, v.MapIndex(k), joinPath(path, k.String()))
		}
	}
}
