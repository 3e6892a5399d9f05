package stripesync

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

// MaxAmountMinor is the largest amount, in minor units, that Tally sends to
// Stripe for one invoice item and for one invoice's total, either sign:
// 99,999,999 (USD 999,999.99, JPY 99,999,999, BHD 99,999.999).
//
// Why this number: Stripe documents its amounts as "a positive integer
// representing how much to charge in the smallest currency unit" and that
// "the amount value supports up to eight digits (e.g., a value of 99999999
// for a USD charge of $999,999.99)" (the amount of charges and
// PaymentIntents, by which a Stripe invoice is collected; docs.stripe.com,
// "Supported currencies: minimum and maximum charge amounts"). An invoice
// item above it, or items that add up above it, would make an invoice Stripe
// cannot collect, and an int64 beyond it would be sent wrapped. A few
// currencies (IDR) allow more in Stripe; Tally keeps the one documented
// eight-digit limit for all, and for credits (negative lines) as for
// charges. Stripe's minimum charge (USD 0.50) is not checked: Stripe itself
// handles an invoice below it (it is carried to the customer's balance).
const MaxAmountMinor int64 = 99_999_999

// stripeAmounts converts each line of inv to integer minor units exactly
// (domain.Currency.ToMinor: never rounded, never wrapped) and checks each,
// and their sum, against MaxAmountMinor. The error says which line and why.
func stripeAmounts(inv invoicing.Invoice) ([]int64, error) {
	out := make([]int64, len(inv.Lines))
	var sum int64
	for i, l := range inv.Lines {
		minor, err := inv.Currency.ToMinor(l.Amount)
		if err == nil && (minor > MaxAmountMinor || minor < -MaxAmountMinor) {
			err = fmt.Errorf("%d minor units of %s is beyond Stripe's limit of %d", minor, inv.Currency, MaxAmountMinor)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d (%s): %w", i+1, l.PriceKey, err)
		}
		out[i] = minor
		sum += minor // cannot overflow: each is within ±MaxAmountMinor
	}
	if sum > MaxAmountMinor || sum < -MaxAmountMinor {
		return nil, fmt.Errorf("the lines add up to %d minor units of %s, beyond Stripe's limit of %d", sum, inv.Currency, MaxAmountMinor)
	}
	return out, nil
}

// sendable returns the invoice's line amounts in minor units, or refuses the
// invoice: it records the reason on the invoice (StripeSyncError, which
// takes it out of the pending-sync query), stops the sync from being
// pending, and returns a conflict saying why. Nothing is sent to Stripe for
// a refused invoice. A sendable invoice that was refused before (its amounts
// changed) has the reason cleared.
func (s *Syncer) sendable(ctx context.Context, inv invoicing.Invoice, rec *invoiceRow) ([]int64, error) {
	amounts, err := stripeAmounts(inv)
	if err == nil {
		if inv.StripeSyncError != nil {
			if err := s.inv.ClearStripeSyncError(ctx, inv.TenantID, inv.ID); err != nil {
				return nil, err
			}
		}
		return amounts, nil
	}
	reason := "Stripe cannot take this invoice's amounts, so it is not sent: " + err.Error()
	if rerr := s.inv.RefuseStripeSync(ctx, inv.TenantID, inv.ID, reason); rerr != nil {
		return nil, rerr
	}
	if perr := s.setPending(ctx, rec, false); perr != nil {
		return nil, perr
	}
	return nil, domain.Conflict("stripe_amount_unsupported", "%s", reason)
}
