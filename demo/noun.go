package demo

import (
	"strconv"
	"strings"
)

// Noun is a countable word in its two forms.
type Noun struct{ One, Many string }

// Count writes n with the noun in the form that agrees with it, n's digits
// grouped by commas: "1 execution", "0 executions", "12,345 executions".
func (w Noun) Count(n int) string {
	word := w.Many
	if n == 1 || n == -1 {
		word = w.One
	}
	return groupDigits(n) + " " + word
}

// NounFromPlural makes a noun from its plural as meters name their units
// ("executions", "queries", "tokens").
func NounFromPlural(many string) Noun {
	switch {
	case strings.HasSuffix(many, "ies"):
		return Noun{strings.TrimSuffix(many, "ies") + "y", many}
	case strings.HasSuffix(many, "ches"), strings.HasSuffix(many, "shes"), strings.HasSuffix(many, "sses"), strings.HasSuffix(many, "xes"):
		return Noun{strings.TrimSuffix(many, "es"), many}
	case strings.HasSuffix(many, "s") && !strings.HasSuffix(many, "ss"):
		return Noun{strings.TrimSuffix(many, "s"), many}
	}
	return Noun{many, many}
}

func groupDigits(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// The nouns the welcome text counts.
var (
	nounEvent    = Noun{"event", "events"}
	nounMeter    = Noun{"meter", "meters"}
	nounPlan     = Noun{"plan", "plans"}
	nounCustomer = Noun{"customer", "customers"}
	nounInvoice  = Noun{"invoice", "invoices"}
	nounDraft    = Noun{"draft", "drafts"}
	nounGrant    = Noun{"credit grant", "credit grants"}
)
