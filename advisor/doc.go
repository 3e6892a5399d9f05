// Package advisor answers pricing questions with the rating engine, so that
// every answer is what an invoice would say (issue 11): which plan is
// cheapest for a usage (Compare), where plans break even along one meter
// (BreakEven), which plan a customer should be on (Recommend), what a plan
// would have done to another plan's subscribers (Backtest), and what
// serving a customer costs (Margin). It only reads: nothing is stored,
// drafted or sent.
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
//
// # Recommendation
//
// Recommend compares every plan that is not archived, in the currency and
// interval of the customer's current plan (active or in trial; ?subscription=
// when it has several), on one period of its usage: the meters of every
// compared plan's usage prices, each unfiltered. basis last_period counts
// the last closed period; current_projected counts the current period up
// to now and multiplies every quantity by the period's length ÷ the time
// elapsed (in seconds, to 12 places), which the reply states. The saving
// is the current plan's total minus the cheapest's.
//
// # Backtest
//
// Backtest takes each subscription of the "against" plan (or of the listed
// customers), a page at a time, and every whole period of it inside
// [from, to): periods cut by a start, a trial, an end or a plan change are
// left out. "Had" sums the lines of its stored invoices that are not void
// and bill those periods (before credits: an advance fee sits on the
// previous period's invoice but bills its own period); "would" quotes the
// plan on the same quantities, measured per meter as an invoice does. A
// plan backtested against itself gives 0 for every subscription whose
// prices have no filters. p50/p95 are by nearest rank over one difference
// per subscription, the only per-subscription state kept.
//
// # Margins
//
// A meter may declare cost_per_unit in cost_currency: what one unit costs
// the tenant to serve. Compare and Backtest show that cost of the usage
// and the margin (invoice subtotal − cost), counting costs in the plan's
// currency only (others are listed, never converted); Margin gives a
// customer's revenue (its subscription invoice lines of periods inside the
// window), cost and margin per currency. Costs never reach an invoice.
package advisor
