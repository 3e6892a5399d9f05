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
// Not done here: credits.low / credits.exhausted (see the report of the
// change that added this package).
package budgets
