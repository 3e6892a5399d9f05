// Package credits owns customers' prepaid credit grants: an amount of the
// customer's currency, or of a custom unit ("credits") worth
// conversion_rate of the currency each, with an optional expiry and a
// priority.
//
// Rules (shared/spec/pricing.md, "Credits"):
//   - At finalization, grants pay the invoice: usage lines first, then the
//     rest of its subtotal (never more than the subtotal, nothing for a
//     subtotal of zero or less). credits_applied shows how much.
//   - Grants are drawn soonest expiry first (no expiry last), then by
//     priority (1 before 2), then oldest first. A grant expired by the
//     moment of finalization is not drawn.
//   - A proposed invoice shows what the grants would cover at its `at`,
//     without drawing anything.
//   - A custom unit is converted at its grant's rate; the currency amount is
//     rounded to the minor unit once, and the units drawn are that amount
//     divided by the rate.
//   - Voiding an invoice gives back what it drew.
package credits
