package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Figure is one measured value with its target. Met is nil when the figure
// has no threshold or the run is short (short runs judge nothing).
type Figure struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Target string  `json:"target,omitempty"`
	Met    *bool   `json:"met,omitempty"`
	Note   string  `json:"note,omitempty"`
}

// Check is one exactness check of a run; a failed one fails the bench.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Report is what one bench measured.
type Report struct {
	Bench   string         `json:"bench"`
	Store   string         `json:"store"`
	Short   bool           `json:"short"`
	Params  map[string]any `json:"params"`
	Figures []Figure       `json:"figures"`
	Checks  []Check        `json:"checks"`
	Started time.Time      `json:"started"`
	Seconds float64        `json:"seconds"`
}

// figure appends a figure; met is judged only outside short mode.
func (r *Report) figure(name string, value float64, unit, target string, met bool, note string) {
	f := Figure{Name: name, Value: value, Unit: unit, Target: target, Note: note}
	if target != "" && !r.Short {
		f.Met = &met
	}
	r.Figures = append(r.Figures, f)
}

// check records an exactness check.
func (r *Report) check(name string, ok bool, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

// Failed lists the checks that failed.
func (r Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// WriteJSON writes the reports as one indented JSON array.
func WriteJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(reports)
}

// WriteTable writes each report as a table: figure, value, target, met,
// note; then its checks.
func WriteTable(w io.Writer, reports []Report) error {
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		mode := "full"
		if r.Short {
			mode = "short (no thresholds)"
		}
		fmt.Fprintf(w, "bench %s on %s, %s, %.1f s, %s\n", r.Bench, r.Store, mode, r.Seconds, params(r.Params))
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "figure\tvalue\ttarget\tmet\tnote")
		for _, f := range r.Figures {
			met := "-"
			if f.Met != nil {
				met = map[bool]string{true: "yes", false: "NO"}[*f.Met]
			}
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\n", f.Name, num(f.Value), f.Unit, f.Target, met, f.Note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, c := range r.Checks {
			mark := "ok  "
			if !c.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  %s %s: %s\n", mark, c.Name, c.Detail)
		}
	}
	return nil
}

func params(p map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(p) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, p[k]))
	}
	return strings.Join(parts, " ")
}

// num prints a figure with sensible precision.
func num(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}
