package ui

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/shopspring/decimal"
)

// Bar is one bar of a BarChart: its axis label ("Dec 3"), its value, and
// the hover text (a <title>: "Dec 3: 1,250 executions, $10.00").
type Bar struct {
	Label string
	Value decimal.Decimal
	Title string
}

// BarChart draws bars as an accessible SVG: one <rect class="bar"> per bar
// in order (a test counts them), each with a <title> shown on hover and read
// by screen readers, and label the chart's accessible name. Heights are
// proportional to values (the tallest fills the chart; all zero: flat);
// negative values draw as zero. Axis labels are thinned so they never
// overlap. The SVG scales to its container's width.
func BarChart(label string, bars []Bar) template.HTML {
	const w, h, top, bottom = 720.0, 220.0, 12.0, 28.0
	var maxV decimal.Decimal
	for _, b := range bars {
		if b.Value.GreaterThan(maxV) {
			maxV = b.Value
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart bars" viewBox="0 0 %g %g" role="img" aria-label="%s" preserveAspectRatio="none">`, w, h, esc(label))
	plot := h - top - bottom
	fmt.Fprintf(&sb, `<line class="axis" x1="0" y1="%g" x2="%g" y2="%g"/>`, top+plot, w, top+plot)
	n := len(bars)
	if n == 0 {
		sb.WriteString(`</svg>`)
		return template.HTML(sb.String())
	}
	slot := w / float64(n)
	gap := slot * 0.2
	every := 1 + n/12 // at most ~12 labels
	for i, b := range bars {
		v := 0.0
		if maxV.IsPositive() && b.Value.IsPositive() {
			v, _ = b.Value.Div(maxV).Float64() // drawing only: a pixel height, never an amount
		}
		bh := v * plot
		if b.Value.IsPositive() && bh < 1 {
			bh = 1
		}
		x := float64(i)*slot + gap/2
		fmt.Fprintf(&sb, `<rect class="bar" x="%.2f" y="%.2f" width="%.2f" height="%.2f" tabindex="0" data-value="%s"><title>%s</title></rect>`,
			x, top+plot-bh, slot-gap, bh, esc(b.Value.String()), esc(b.Title))
		if i%every == 0 {
			fmt.Fprintf(&sb, `<text class="tick" x="%.2f" y="%g" text-anchor="middle">%s</text>`, x+(slot-gap)/2, h-8, esc(b.Label))
		}
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// Point is one point of a Series: X and Y in the chart's units.
type Point struct {
	X, Y decimal.Decimal
}

// Series is one line of a LineChart. A jump (a flat fee per tier, a new
// package) is two points at the same X.
type Series struct {
	Name   string
	Points []Point
}

// LineChart draws series as an accessible SVG line chart over one X range:
// each series a <polyline class="line sN"> with its points in order and a
// <title>, a legend, and the X and Y extremes labelled with xLabel and
// yLabel formatting (fx, fy). Marks (e.g. break-even quantities) are drawn
// as dashed verticals with their own titles.
func LineChart(label string, series []Series, marks []Point, fx, fy func(decimal.Decimal) string) template.HTML {
	const w, h, left, right, top, bottom = 720.0, 260.0, 64.0, 12.0, 12.0, 32.0
	var minX, maxX, maxY decimal.Decimal
	firstPoint := true
	for _, s := range series {
		for _, p := range s.Points {
			if firstPoint || p.X.LessThan(minX) {
				minX = p.X
			}
			if firstPoint || p.X.GreaterThan(maxX) {
				maxX = p.X
			}
			if p.Y.GreaterThan(maxY) {
				maxY = p.Y
			}
			firstPoint = false
		}
	}
	pw, ph := w-left-right, h-top-bottom
	px := func(x decimal.Decimal) float64 {
		if !maxX.GreaterThan(minX) {
			return left
		}
		f, _ := x.Sub(minX).Div(maxX.Sub(minX)).Float64()
		return left + f*pw
	}
	py := func(y decimal.Decimal) float64 {
		if !maxY.IsPositive() {
			return top + ph
		}
		f, _ := y.Div(maxY).Float64()
		return top + ph - f*ph
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart lines" viewBox="0 0 %g %g" role="img" aria-label="%s">`, w, h, esc(label))
	fmt.Fprintf(&sb, `<line class="axis" x1="%g" y1="%g" x2="%g" y2="%g"/>`, left, top+ph, w-right, top+ph)
	fmt.Fprintf(&sb, `<line class="axis" x1="%g" y1="%g" x2="%g" y2="%g"/>`, left, top, left, top+ph)
	fmt.Fprintf(&sb, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, left-6, top+10, esc(fy(maxY)))
	fmt.Fprintf(&sb, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, left-6, top+ph, esc(fy(decimal.Zero)))
	fmt.Fprintf(&sb, `<text class="tick" x="%g" y="%g" text-anchor="start">%s</text>`, left, h-10, esc(fx(minX)))
	fmt.Fprintf(&sb, `<text class="tick" x="%g" y="%g" text-anchor="end">%s</text>`, w-right, h-10, esc(fx(maxX)))
	for _, m := range marks {
		x := px(m.X)
		fmt.Fprintf(&sb, `<line class="mark" x1="%.2f" y1="%g" x2="%.2f" y2="%g"><title>%s: %s</title></line>`, x, top, x, top+ph, esc(fx(m.X)), esc(fy(m.Y)))
	}
	for i, s := range series {
		pts := make([]string, len(s.Points))
		for j, p := range s.Points {
			pts[j] = fmt.Sprintf("%.2f,%.2f", px(p.X), py(p.Y))
		}
		fmt.Fprintf(&sb, `<polyline class="line s%d" points="%s"><title>%s</title></polyline>`, i%6, strings.Join(pts, " "), esc(s.Name))
	}
	for i, s := range series {
		y := top + 14 + float64(i)*16
		fmt.Fprintf(&sb, `<rect class="key s%d" x="%g" y="%g" width="10" height="10"/><text class="legend" x="%g" y="%g">%s</text>`, i%6, left+10, y-9, left+26, y, esc(s.Name))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }
