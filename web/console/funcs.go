package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/web/ui"
)

// priceCtx is what the editor's "price" template draws one price row with.
type priceCtx struct {
	Form   formState
	Row    priceRow
	Meters []meters.Meter
}

// inputField is one labelled <input> of a form (the "input" template): its
// typed value and the domain's problem for its path.
type inputField struct {
	ID, Name, Label, Type, Hint, Value, Error, Step string
	Required                                        bool
}

// funcs are the console's template functions beyond the kit's:
//
//	money AMOUNT CURRENCY [LOCALE]                   the kit's money, the currency a string or a domain.Currency
//	amount AMOUNT CURRENCY                          the amount as the API writes it ("19.00")
//	field FORM NAME LABEL TYPE HINT REQUIRED        an input whose problem path is NAME
//	fieldp FORM NAME PATH LABEL TYPE HINT REQUIRED  an input whose problem path is PATH
//	previewLimit                                    how many events the meter preview reads
//	list A B …                                      a list of strings (a select's options)
//	deref TIME                                      a *time.Time's time (zero for nil: written "—")
//	inc N                                           N+1 (1-based numbering)
//	priceCtx FORM ROW METERS                        one price row of the plan editor
func funcs() template.FuncMap {
	return template.FuncMap{
		"field": func(f formState, name, label, typ, hint string, required bool) inputField {
			return newInput(f, name, name, label, typ, hint, required)
		},
		"fieldp": func(f formState, name, path, label, typ, hint string, required bool) inputField {
			return newInput(f, name, path, label, typ, hint, required)
		},
		"previewLimit": func() int { return previewLimit },
		// money takes the currency as a domain.Currency too.
		"money": func(amount any, currency any, locale ...string) string {
			loc := ""
			if len(locale) > 0 {
				loc = locale[0]
			}
			return ui.Money(decimalOf(amount), fmt.Sprint(currency), loc)
		},
		// amount writes an amount as the API does (the currency's minor
		// units: "19.00"), for data- attributes.
		"amount": func(amount any, currency domain.Currency) string { return currency.Format(decimalOf(amount)) },
		"list":   func(xs ...string) []string { return xs },
		"inc":    func(i int) int { return i + 1 },
		"deref": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		"priceCtx": func(f formState, r priceRow, ms []meters.Meter) priceCtx {
			return priceCtx{Form: f, Row: r, Meters: ms}
		},
	}
}

// decimalOf reads the amounts templates pass: decimals, pointers to them
// (nil is zero) and strings.
func decimalOf(v any) decimal.Decimal {
	switch x := v.(type) {
	case decimal.Decimal:
		return x
	case *decimal.Decimal:
		if x != nil {
			return *x
		}
	case string:
		if d, err := decimal.NewFromString(x); err == nil {
			return d
		}
	}
	return decimal.Zero
}

func newInput(f formState, name, path, label, typ, hint string, required bool) inputField {
	in := inputField{ID: strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(name), Name: name, Label: label, Type: typ, Hint: hint,
		Value: f.V(name), Error: f.E(path), Required: required}
	if typ == "number" {
		in.Step = "any"
	}
	return in
}
