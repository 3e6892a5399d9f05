// Package advisor answers pricing questions with the rating engine, so that
// every answer is what an invoice would say (issue 11): which plan is
// cheapest for a usage (Compare), where plans break even along one meter
// (BreakEven). It only reads: nothing is stored, drafted or sent.
//
// # One whole period
//
// Compare rates each plan's prices for one whole billing period with
// rating.Rate and no proration: every fixed fee once (advance and arrear
// alike, unprorated), every usage price on the quantity of its meter, free
// units, packages, tiers, minimums and custom units as an invoice does. A
// usage price with filters is given its meter's whole quantity: a usage
// vector is per meter, not per event property.
//
// # External costs
//
// A plan's external_costs are what its customers pay a provider directly
// (BYOK tokens): quantity × unit_amount per meter, each rounded once to the
// currency like a line. They are added to a plan's cost only when asked
// (include_external_costs) and never reach an invoice.
//
// # Normalisation
//
// Plans are compared only in one currency. Plans of different intervals are
// compared only with Normalize "month": the usage is then per month, each
// plan's period sees it scaled to its length (day ×12/365, week ×12/52,
// quarter ×3, year ×12) and its costs are scaled back to a month (day
// ×365/12, week ×52/12, quarter ÷3, year ÷12), rounded to the currency.
package advisor
