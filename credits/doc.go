// Package credits owns customers' prepaid credit grants and their ledger:
// an amount of the customer's currency, or of a custom unit ("credits")
// worth conversion_rate of the currency each, with an optional expiry, a
// priority, and applies_to (usage lines only, the default, or all lines).
//
// Rules (shared/spec/pricing.md, "Credits"):
//   - At finalization, grants pay an invoice's lines (Plan): soonest expiry
//     first (no expiry last), then priority (1 before 2), then the older
//     grant. A money grant pays in money; a custom-unit grant pays only
//     lines priced in its unit, measured in it. Never more than the lines'
//     total; nothing for a total of zero or less.
//   - A grant pays an invoice only if it has not expired at the end of the
//     period the invoice closes; one that expires mid-period pays nothing of
//     that period.
//   - A paid grant is a purchase: invoicing issues its invoice, and the
//     credits become usable when it is paid (or at once, usable
//     "immediately"). Voiding that invoice voids what is left.
//   - Voiding an invoice gives back what it drew (ReleaseTx).
//   - Every change is an append-only ledger entry (grant, draw, release,
//     void, expiry) written with the grant rows locked, in id order, in the
//     same transaction as the change. An expiry is recorded by a job once
//     the tenant's now passes expires_at (RecordExpiryTx: what is left less
//     what earlier periods' drafts may still draw; invoicing writes
//     credits.expired in the same transaction), once per grant; until then,
//     and for a remainder such a draft leaves, the ledger derives it.
//   - The balance (Summarize) subtracts what drafts and open periods would
//     draw; invoicing computes those, since it owns proposed invoices.
package credits
