package console

import (
	"html/template"
	"strings"
	"time"

	"github.com/tallyhq/tally/meters"
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
	Required                                       bool
}

// funcs are the console's template functions beyond the kit's:
//
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
		"list":         func(xs ...string) []string { return xs },
		"inc":          func(i int) int { return i + 1 },
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

func newInput(f formState, name, path, label, typ, hint string, required bool) inputField {
	in := inputField{ID: strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(name), Name: name, Label: label, Type: typ, Hint: hint,
		Value: f.V(name), Error: f.E(path), Required: required}
	if typ == "number" {
		in.Step = "any"
	}
	return in
}
