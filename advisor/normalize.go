package advisor

import (
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/calendar"
)

// NormalizeMonth is the one normalisation: every plan to a month.
const NormalizeMonth = "month"

// monthsPer is the stated rule: how many months one period of an interval
// counts for (day 12/365, week 12/52, month 1, quarter 3, year 12).
func monthsPer(i calendar.Interval) (num, den int64) {
	switch i {
	case calendar.Day:
		return 12, 365
	case calendar.Week:
		return 12, 52
	case calendar.Quarter:
		return 3, 1
	case calendar.Year:
		return 12, 1
	}
	return 1, 1
}

// toPeriod scales a monthly usage to one period of interval i, exactly
// when it terminates (a year: ×12) and to 12 places otherwise (a week).
func toPeriod(u Usage, i calendar.Interval) Usage {
	num, den := monthsPer(i)
	if num == den {
		return u
	}
	out := Usage{}
	for k, q := range u {
		out[k] = scale(q, num, den, 12)
	}
	return out
}

// toMonth scales an amount of one period of interval i to a month, rounded
// to places.
func toMonth(d decimal.Decimal, i calendar.Interval, places int32) decimal.Decimal {
	num, den := monthsPer(i)
	return scale(d, den, num, places)
}

func scale(d decimal.Decimal, num, den int64, places int32) decimal.Decimal {
	if num == den {
		return d
	}
	x := d.Mul(decimal.NewFromInt(num))
	if den == 1 {
		return x
	}
	return x.DivRound(decimal.NewFromInt(den), places)
}
