package ui

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestBarChartDrawsOneTitledBarPerValue(t *testing.T) {
	bars := []Bar{
		{Label: "Dec 1", Value: decimal.RequireFromString("10"), Title: "Dec 1: 10 executions"},
		{Label: "Dec 2", Value: decimal.Zero, Title: "Dec 2: 0 executions"},
		{Label: "Dec 3", Value: decimal.RequireFromString("5"), Title: "Dec 3: 5 <executions>"},
	}
	svg := string(BarChart("Executions per day", bars))
	if n := strings.Count(svg, `<rect class="bar"`); n != 3 {
		t.Fatalf("want 3 bars, got %d in %s", n, svg)
	}
	if !strings.Contains(svg, `aria-label="Executions per day"`) || !strings.Contains(svg, `role="img"`) {
		t.Error("the chart has no accessible name")
	}
	if !strings.Contains(svg, "<title>Dec 3: 5 &lt;executions&gt;</title>") {
		t.Error("titles must be escaped and present for hover")
	}
	// The tallest bar fills the plot (220 - 12 - 28 = 180), the half one half.
	if !strings.Contains(svg, `height="180.00" tabindex="0" data-value="10"`) || !strings.Contains(svg, `height="90.00" tabindex="0" data-value="5"`) {
		t.Errorf("bar heights are not proportional: %s", svg)
	}
	if !strings.Contains(svg, `height="0.00" tabindex="0" data-value="0"`) {
		t.Errorf("a zero day should be a zero-height bar: %s", svg)
	}
}

func TestLineChartDrawsEverySeriesAndMark(t *testing.T) {
	d := decimal.RequireFromString
	series := []Series{
		{Name: "BYOK", Points: []Point{{d("0"), d("0")}, {d("40000"), d("80")}}},
		{Name: "BYOK Pro", Points: []Point{{d("0"), d("19")}, {d("40000"), d("59")}}},
	}
	f := func(x decimal.Decimal) string { return x.String() }
	svg := string(LineChart("Cost by executions", series, []Point{{d("19000"), d("38")}}, f, f))
	if n := strings.Count(svg, `<polyline class="line`); n != 2 {
		t.Fatalf("want 2 lines, got %d", n)
	}
	if !strings.Contains(svg, "<title>19000: 38</title>") {
		t.Errorf("the break-even mark is missing: %s", svg)
	}
	if !strings.Contains(svg, ">BYOK Pro</text>") {
		t.Error("the legend is missing")
	}
}

func TestSecretsCompareOnlyWhenEqualAndNonEmpty(t *testing.T) {
	a := NewSecret()
	if len(a) < 40 || a == NewSecret() {
		t.Fatalf("secrets must be long and random: %q", a)
	}
	if !SameSecret(a, a) || SameSecret(a, a+"x") || SameSecret("", "") {
		t.Error("SameSecret is wrong")
	}
}
