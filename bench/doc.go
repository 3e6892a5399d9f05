// Package bench measures Tally the way production runs it: it opens (and
// migrates) a given database, starts a real Tally server on a loopback port
// (app.Open and App.Serve, what `tally serve` runs) or targets one already
// running, creates a tenant and its data of its own over HTTP, drives the
// load with N concurrent clients, and reports each figure beside its target
// (issue 13) and, for ingestion on Postgres, beside raw COPY baselines
// measured in the same run on the same machine.
//
// Four benches:
//
//   - ingest: HTTP batch ingest (POST /v1/events/batch, 1,000 events a
//     batch) of one or many customers, against pgx CopyFrom of the same
//     rows into a table shaped like events (same columns, key, indexes and
//     foreign key) and into a bare keyed table. Exactness: stored and
//     accepted events equal those sent, a resent batch is all duplicates,
//     and the first customer's proposed invoice counts its events exactly.
//   - preview: p50/p99 of GET /v1/subscriptions/{id}/proposed_invoice after
//     each step of loading (e.g. 1M then 10M events), one customer or many
//     sharing them; the growth ratio of the p99s is the figure.
//   - balance: p99 of GET /v1/customers/{id}/credit_balance at a fixed rate
//     (open loop) while the same customer's events are ingested at half the
//     peak rate measured just before.
//   - run: an invoice run (POST /v1/invoice_runs, polled) of S monthly
//     subscriptions (advance and arrear fees, two usage prices) per size,
//     invoices/s and the peak Go heap of the process (in-process servers
//     only), side by side.
//
// Short mode (Options.Short) shrinks every size so that all four finish in
// seconds; it reports figures without judging them against the targets,
// but still fails on any exactness check. Figures on a shared machine are
// noisy: the ratios measured in one run are what count.
package bench
