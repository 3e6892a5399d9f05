// Package plans owns the catalog's plans and their prices. Each price is
// rated by the pure math of package plans/rating; this package adds what a
// price is sold as: its type (a fixed recurring fee, or usage of a meter), its
// cadence, its meter and filters, and storage.
//
// A plan that has subscriptions keeps what those subscriptions were sold:
// its currency, interval and prices can no longer change (409 plan_in_use);
// its name and description can. To sell different prices, create a new plan
// and move subscriptions with change_plan. Archiving (DELETE) stops new
// subscriptions; existing ones keep billing.
package plans
