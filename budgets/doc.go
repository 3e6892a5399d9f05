// Package budgets watches a customer's spend (the proposed invoice total)
// or one meter's usage in the open billing period against a limit, and
// reports each threshold crossed (budget.threshold_reached) once per
// (budget, period, threshold): a budget_crossings row, unique on that
// triple, is written in the same transaction as the outbox event, so
// concurrent evaluators report it exactly once. A new period starts from
// nothing, so each threshold is reported again there.
//
// Evaluation reads the live figures through a Reader (wired in app to the
// proposed invoices) and runs after ingestion commits, off the request
// path: Worker.Touch queues the customers an ingested batch named, and a
// worker goroutine evaluates them, coalescing repeats; EvaluateAll (a
// scheduler job) is the safety net for anything a restart dropped.
// Creating a budget also queues its customer, so a budget already crossed
// reports at once. With test clocks on, evaluation reads each tenant's
// test clock (SetTenantNow), as the tenant's requests do.
//
// Low credits (credits.go, with SetCredits): the same evaluation reads the
// customer's live credit balance (invoicing's CreditBalance) and sends
// credits.low once a unit's remaining balance is at or below a share of what
// was granted in it (DefaultCreditsLowPercent, 20 %), credits.exhausted once
// it is zero; a credit_alerts row per (customer, unit, kind), written with
// the event, makes each once per crossing, and is deleted when the balance
// rises above the level again (a new grant), re-arming it. Not done: a level
// set per tenant or per customer (only the default share applies).
package budgets
