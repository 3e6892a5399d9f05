package rating

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Proration is the fraction Days/OfDays of a period a fee is charged for:
// days active / days in the period, counted by the caller. It applies to
// flat fees and to minimum_amount only. The zero value means no proration
// (the full amount); so does Days == OfDays. Days = 0 with OfDays > 0 charges
// nothing. Negative values, OfDays = 0 with Days ≠ 0, and Days > OfDays are
// errors.
type Proration struct {
	Days, OfDays int
}

// Full reports whether the proration charges the whole amount.
func (pr Proration) Full() bool {
	return pr == (Proration{}) || (pr.Days == pr.OfDays && pr.OfDays > 0)
}

func (pr Proration) check() error {
	if pr == (Proration{}) {
		return nil
	}
	if pr.Days < 0 || pr.OfDays <= 0 || pr.Days > pr.OfDays {
		return fmt.Errorf("rating: invalid proration %d/%d days: need 0 ≤ days ≤ of_days and of_days > 0", pr.Days, pr.OfDays)
	}
	return nil
}

// apply returns amount × Days/OfDays as an exact fraction.
func (pr Proration) apply(amount decimal.Decimal) fraction {
	if pr.Full() {
		return whole(amount)
	}
	return fraction{
		num: amount.Mul(decimal.NewFromInt(int64(pr.Days))),
		den: decimal.NewFromInt(int64(pr.OfDays)),
	}
}
