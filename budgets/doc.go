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
// test clock (the TenantClocks given to NewService), as the tenant's
// requests do.
//
// Low credits (credits.go, when NewService gets a CreditReader): the same
// evaluation reads the customer's live credit balance (invoicing's
// CreditBalance) and sends credits.low once a unit's remaining balance is
// at or below the customer's level, credits.exhausted once it is zero. The
// level (CreditLevels: domain.LowCreditThreshold) is the customer's own
// low_credit_threshold, else its tenant's default (GET/PATCH /v1/settings),
// else 20 % of what was granted in the unit; a threshold is a percent of
// what was granted, an absolute remaining amount per unit, or both (the
// amount wins for the units it names). A credit_alerts row per (customer,
// unit, kind), written with the event, makes each once per crossing per
// billing period: it records the period it was sent in, is sent again in a
// later period while the balance stays at or below the level, and is
// deleted when the balance rises above the level (a new grant), re-arming
// it.
package budgets
