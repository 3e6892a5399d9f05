package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/store"
)

// route is one registered endpoint, also described in /openapi.json.
type route struct {
	Method   string
	Path     string // echo syntax: /v1/meters/:id
	Access   Access
	Summary  string
	Request  string   // component schema name of the body, "" for none
	Response string   // component schema name of the success body
	Status   int      // success status
	Query    []string // names of query parameters, typed by queryParams
	// Errors are error statuses beyond those errorStatuses derives.
	Errors []int
	// Also are other success statuses, with the same body as Status.
	Also []int
	// Alt are other bodies the success status may carry (a compatibility
	// route answers each peer's SDK in its own shape); Empty are success
	// statuses with no body (OpenMeter's 204).
	Alt   []string
	Empty []int
	// Peer says error replies may also come in the peer SDK's own shape
	// (Lago's error_details, OpenMeter's problem+json, Flexprice's body).
	Peer bool
	// Replica says the route's usage reads may be served by the read
	// replica (TALLY_READ_DATABASE_URL, store.ReplicaOK): a live view that
	// accepts replication lag. Never on a route that writes or bills.
	Replica bool
}

// idempotent reports whether the route honours Idempotency-Key: every POST
// with a caller to scope keys to (not the public webhook).
func (r route) idempotent() bool { return r.Method == "POST" && r.Access != Public }

func (s *Server) add(r route, h echo.HandlerFunc) {
	if r.Status == 0 {
		r.Status = 200
	}
	s.routes = append(s.routes, r)
	mw := []echo.MiddlewareFunc{wholeSegments, s.authenticate(r.Access)}
	if r.idempotent() {
		mw = append(mw, s.idempotent)
	}
	if r.Replica {
		mw = append(mw, echo.WrapMiddleware(store.ReplicaOKHandler))
	}
	s.echo.Add(r.Method, r.Path, h, mw...)
	if r.Method == "GET" { // HEAD works wherever GET does (net/http drops the body)
		head := r
		head.Method, head.Summary = "HEAD", "As GET, headers only: "+r.Summary
		s.routes = append(s.routes, head)
		s.echo.Add("HEAD", r.Path, h, mw...)
	}
}

// wholeSegments answers 404 when a path parameter would swallow more than
// one segment (echo's router gives a trailing :id the rest of the path, so
// /v1/meters/a/b/c would read meter "a/b/c").
func wholeSegments(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if strings.Contains(v, "/") {
				return echo.NewHTTPError(http.StatusNotFound, "no such route: "+c.Request().URL.Path)
			}
		}
		return next(c)
	}
}

// register is the one table of routes.
func (s *Server) register() {
	pg := []string{"limit", "cursor"}
	// Operations.
	s.add(route{Method: "GET", Path: "/healthz", Access: Public, Summary: "The process is up.", Response: "Health"}, s.healthz)
	s.add(route{Method: "GET", Path: "/readyz", Access: Public, Summary: "The database answers.", Response: "Health"}, s.readyz)
	s.add(route{Method: "GET", Path: "/metrics", Access: Public, Summary: "Prometheus metrics (text format).", Response: ""}, s.metrics.handler())
	s.add(route{Method: "GET", Path: "/openapi.json", Access: Public, Summary: "This document.", Response: ""}, s.openapi)

	// Tenants and keys.
	s.add(route{Method: "POST", Path: "/v1/tenants", Access: Root, Summary: "Create a tenant and its first admin key (shown once).", Request: "TenantCreate", Response: "TenantCreated", Status: 201}, s.createTenant)
	s.add(route{Method: "POST", Path: "/v1/api_keys", Access: Admin, Summary: "Create an admin or ingest key (shown once).", Request: "APIKeyCreate", Response: "APIKeyCreated", Status: 201}, s.createKey)
	s.add(route{Method: "GET", Path: "/v1/api_keys", Access: Admin, Summary: "List the tenant's keys.", Response: "APIKeyList", Query: pg}, s.listKeys)
	s.add(route{Method: "DELETE", Path: "/v1/api_keys/:id", Access: Admin, Summary: "Revoke a key.", Response: "APIKey"}, s.revokeKey)
	s.add(route{Method: "GET", Path: "/v1/settings", Access: Admin, Summary: "The tenant's settings: its default credits.low level.", Response: "Settings"}, s.getSettings)
	s.add(route{Method: "PATCH", Path: "/v1/settings", Access: Admin, Summary: "Change the tenant's settings (low_credit_threshold: a percent of what was granted and/or a remaining amount per unit; {} clears it).", Request: "SettingsUpdate", Response: "Settings"}, s.updateSettings)

	// Meters.
	s.add(route{Method: "POST", Path: "/v1/meters", Access: Admin, Summary: "Create a meter.", Request: "MeterCreate", Response: "Meter", Status: 201}, s.createMeter)
	s.add(route{Method: "GET", Path: "/v1/meters", Access: Admin, Summary: "List meters.", Response: "MeterList", Query: append(pg, "include_archived")}, s.listMeters)
	s.add(route{Method: "GET", Path: "/v1/meters/:id", Access: Admin, Summary: "Read a meter.", Response: "Meter"}, s.getMeter)
	s.add(route{Method: "PATCH", Path: "/v1/meters/:id", Access: Admin, Summary: "Rename a meter or change its unit.", Request: "MeterUpdate", Response: "Meter"}, s.updateMeter)
	s.add(route{Method: "DELETE", Path: "/v1/meters/:id", Access: Admin, Summary: "Archive a meter.", Response: "Meter"}, s.archiveMeter)

	// Plans.
	s.add(route{Method: "POST", Path: "/v1/plans", Access: Admin, Summary: "Create a plan with its prices.", Request: "PlanCreate", Response: "Plan", Status: 201}, s.createPlan)
	s.add(route{Method: "GET", Path: "/v1/plans", Access: Admin, Summary: "List plans.", Response: "PlanList", Query: append(pg, "include_archived")}, s.listPlans)
	s.add(route{Method: "GET", Path: "/v1/plans/:id", Access: Admin, Summary: "Read a plan.", Response: "Plan"}, s.getPlan)
	s.add(route{Method: "PATCH", Path: "/v1/plans/:id", Access: Admin, Summary: "Change a plan (prices only while it has no subscriptions).", Request: "PlanUpdate", Response: "Plan"}, s.updatePlan)
	s.add(route{Method: "DELETE", Path: "/v1/plans/:id", Access: Admin, Summary: "Archive a plan.", Response: "Plan"}, s.archivePlan)
	s.add(route{Method: "POST", Path: "/v1/plans/compare", Access: Admin, Summary: "What each plan would invoice for one whole period of a usage, with external costs, and the cheapest (reads only).", Request: "PlanCompare", Response: "PlanComparison"}, s.comparePlans)
	s.add(route{Method: "POST", Path: "/v1/plans/break_even", Access: Admin, Summary: "The exact quantities of one meter where the cheapest plan changes, the regions between, each plan's rounded cost there and rounded ties (reads only).", Request: "PlanBreakEvenRequest", Response: "PlanBreakEven"}, s.breakEven)
	s.add(route{Method: "POST", Path: "/v1/plans/:id/backtest", Access: Admin, Summary: "Re-price the subscribers of another plan over their whole periods inside [from, to) under this plan (id or key): per subscription the invoices they had and would have had, the difference, and totals (reads only).", Request: "PlanBacktestRequest", Response: "PlanBacktest"}, s.backtest)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/plan_recommendation", Access: Admin, Summary: "Every active plan of the current plan's currency and interval compared on the customer's usage (the last closed period, or the current one projected linearly to its end), the saving against its current plan and the plans that would cost more (reads only).", Response: "PlanRecommendation", Query: []string{"basis", "subscription", "include_external_costs"}}, s.planRecommendation)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/margin", Access: Admin, Summary: "The customer's revenue over [from, to) (its invoice lines of periods inside the window), what serving its usage cost (meters' cost_per_unit, never invoiced) and the margin, per currency (reads only).", Response: "CustomerMargin", Query: []string{"from", "to"}}, s.customerMargin)

	// Customers and subscriptions.
	s.add(route{Method: "POST", Path: "/v1/customers", Access: Admin, Summary: "Create a customer.", Request: "CustomerCreate", Response: "Customer", Status: 201}, s.createCustomer)
	s.add(route{Method: "GET", Path: "/v1/customers", Access: Admin, Summary: "List customers.", Response: "CustomerList", Query: pg}, s.listCustomers)
	s.add(route{Method: "GET", Path: "/v1/customers/:id", Access: Admin, Summary: "Read a customer.", Response: "Customer"}, s.getCustomer)
	s.add(route{Method: "PATCH", Path: "/v1/customers/:id", Access: Admin, Summary: "Change a customer.", Request: "CustomerUpdate", Response: "Customer"}, s.updateCustomer)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/usage", Access: Admin, Summary: "A meter's usage of the customer as a time series.", Response: "UsageSeries", Query: []string{"meter", "from", "to", "granularity"}, Replica: true}, s.customerUsage)
	s.add(route{Method: "POST", Path: "/v1/customers/:id/credit_grants", Access: Admin, Summary: "Grant prepaid credit (the currency, or a custom unit with its conversion_rate).", Request: "CreditGrantCreate", Response: "CreditGrant", Status: 201}, s.createGrant)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/credit_grants", Access: Admin, Summary: "The customer's credit grants and usable balance.", Response: "CreditGrantList"}, s.listGrants)
	s.add(route{Method: "DELETE", Path: "/v1/customers/:id/credit_grants/:grant_id", Access: Admin, Summary: "Void what is left of a credit grant.", Response: "CreditGrant"}, s.voidGrant)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/credit_balance", Access: Admin, Summary: "Credit balance per unit at ?at= (default now): granted, used by finalized invoices, pending on drafts and open periods, expired, voided, remaining.", Response: "CreditBalance", Query: []string{"at"}}, s.creditBalance)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/credit_ledger", Access: Admin, Summary: "Every grant, draw (by invoice), release, void and expiry, with the running balance per unit.", Response: "CreditLedger", Query: pg}, s.creditLedger)
	s.add(route{Method: "POST", Path: "/v1/customers/:id/budgets", Access: Admin, Summary: "Create a spend (amount) or usage (meter, quantity) budget per billing period; crossing each threshold sends budget.threshold_reached once per period.", Request: "BudgetCreate", Response: "Budget", Status: 201}, s.createBudget)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/budgets", Access: Admin, Summary: "The customer's budgets, oldest first.", Response: "BudgetList"}, s.listBudgets)
	s.add(route{Method: "DELETE", Path: "/v1/customers/:id/budgets/:budget_id", Access: Admin, Summary: "Delete a budget and its record of crossings.", Response: "Budget"}, s.deleteBudget)
	s.add(route{Method: "POST", Path: "/v1/customers/:id/portal_tokens", Access: Admin, Summary: "Issue a portal token: read-only access to this customer's /v1/portal/* routes and portal page for ttl (default 24h, at most 720h) on the tenant's clock; the token and its url are shown once.", Request: "PortalTokenCreate", Response: "PortalTokenCreated", Status: 201}, s.createPortalToken)
	s.add(route{Method: "GET", Path: "/v1/customers/:id/portal_tokens", Access: Admin, Summary: "The customer's portal tokens (expired and revoked ones too), oldest first.", Response: "PortalTokenList", Query: pg}, s.listPortalTokens)
	s.add(route{Method: "DELETE", Path: "/v1/customers/:id/portal_tokens/:token_id", Access: Admin, Summary: "Revoke a portal token at once.", Response: "PortalToken"}, s.revokePortalToken)
	s.add(route{Method: "POST", Path: "/v1/subscriptions", Access: Admin, Summary: "Subscribe a customer to a plan.", Request: "SubscriptionCreate", Response: "Subscription", Status: 201}, s.createSubscription)
	s.add(route{Method: "GET", Path: "/v1/subscriptions", Access: Admin, Summary: "List subscriptions.", Response: "SubscriptionList", Query: append(pg, "customer", "plan"), Errors: []int{404}}, s.listSubscriptions) // ?plan= an unknown key: 404
	s.add(route{Method: "GET", Path: "/v1/subscriptions/:id", Access: Admin, Summary: "Read a subscription with its current period.", Response: "Subscription"}, s.getSubscription)

	// Events.
	s.add(route{Method: "POST", Path: "/v1/events", Access: Ingest, Summary: "Send one usage event.", Request: "Event", Response: "IngestResult", Status: 202, Alt: []string{"FlexpriceAccepted"}, Peer: true}, s.postEvent)
	s.add(route{Method: "POST", Path: "/v1/events/batch", Access: Ingest, Summary: "Send up to 1000 usage events.", Request: "EventBatch", Response: "IngestResult", Status: 202}, s.postEventBatch)
	// Compatibility routes: Flexprice, Lago and OpenMeter SDKs unchanged (compat_*.go).
	s.add(route{Method: "POST", Path: "/v1/events/bulk", Access: Ingest, Summary: "Flexprice: send up to 1000 events {\"events\": [{event_id, event_name, external_customer_id, properties, timestamp}]}; 202 with a JSON object of strings.", Request: "FlexpriceBulk", Response: "FlexpriceAccepted", Status: 202, Peer: true}, s.flexpriceBulk)
	s.add(route{Method: "POST", Path: "/api/v1/events", Access: Ingest, Summary: "OpenMeter (Content-Type application/cloudevents+json or application/cloudevents-batch+json: 204; problem+json errors) or Lago ({\"event\": {transaction_id, external_subscription_id, code, timestamp, properties}}: 200; 422 error_details).", Request: "LagoEvent", Response: "LagoEventReply", Empty: []int{204}, Peer: true}, s.apiEvents)
	s.add(route{Method: "POST", Path: "/api/v1/events/batch", Access: Ingest, Summary: "Lago: send up to 1000 events; 200 {\"events\": [...]}, or 422 error_details by index naming the rejected ones (the others are stored).", Request: "LagoBatch", Response: "LagoBatchReply", Peer: true}, s.lagoBatch)
	s.add(route{Method: "GET", Path: "/api/v1/customers/:external_customer_id/current_usage", Access: Admin, Summary: "Lago: the current period's usage of the subscription ?external_subscription_id=, from its proposed invoice.", Response: "LagoCurrentUsage", Query: []string{"external_subscription_id"}, Errors: []int{409}, Peer: true, Replica: true}, s.lagoCurrentUsage) // an ended subscription: 409 ended
	s.add(route{Method: "GET", Path: "/api/v1/meters/:slug/query", Access: Admin, Summary: "OpenMeter: a meter's quantity (by key) per window (windowSize MINUTE|HOUR|DAY) and subject.", Response: "MeterQueryResult", Query: []string{"from", "to", "windowSize", "subject", "groupBy"}, Peer: true}, s.openmeterMeterQuery)
	s.add(route{Method: "POST", Path: "/api/v1/meters/:slug/query", Access: Admin, Summary: "OpenMeter: the meter query with its parameters in the body.", Request: "MeterQuery", Response: "MeterQueryResult", Peer: true}, s.openmeterMeterQuery)

	// Invoices.
	s.add(route{Method: "GET", Path: "/v1/subscriptions/:id/proposed_invoice", Access: Admin, Summary: "The invoice the current period will close with, computed live up to ?at= (default now).", Response: "Invoice", Query: []string{"at"}, Errors: []int{409}, Replica: true}, s.proposedInvoice) // an ended subscription: 409 ended
	s.add(route{Method: "GET", Path: "/v1/customers/:id/proposed_invoices", Access: Admin, Summary: "The proposed invoice of each active subscription of the customer.", Response: "InvoiceList", Query: []string{"at"}, Replica: true}, s.customerProposedInvoices)
	s.add(route{Method: "POST", Path: "/v1/invoice_runs", Access: Admin, Summary: "Draft every missing invoice of periods ended by as_of (wait: true to finish before answering: 201; otherwise 202 while it runs).", Request: "InvoiceRunCreate", Response: "InvoiceRun", Status: 201, Also: []int{202}}, s.startRun)
	s.add(route{Method: "GET", Path: "/v1/invoice_runs/:id", Access: Admin, Summary: "An invoice run's progress and failures.", Response: "InvoiceRun"}, s.getRun)
	s.add(route{Method: "GET", Path: "/v1/invoices", Access: Admin, Summary: "List invoices.", Response: "InvoiceList", Query: append(pg, "customer", "subscription", "status")}, s.listInvoices)
	s.add(route{Method: "GET", Path: "/v1/invoices/:id", Access: Admin, Summary: "Read an invoice (finalized ones report late_events: usage stored after finalization, not billed).", Response: "Invoice"}, s.getInvoice)
	s.add(route{Method: "POST", Path: "/v1/invoices/:id/recompute", Access: Admin, Summary: "Rebuild a draft from the events stored now.", Response: "Invoice"}, s.invoiceAction("recompute"))
	s.add(route{Method: "POST", Path: "/v1/invoices/:id/finalize", Access: Admin, Summary: "Recompute, freeze and number a draft.", Response: "Invoice"}, s.invoiceAction("finalize"))
	s.add(route{Method: "POST", Path: "/v1/invoices/:id/void", Access: Admin, Summary: "Void a draft or an unpaid invoice.", Response: "Invoice"}, s.invoiceAction("void"))
	s.add(route{Method: "POST", Path: "/v1/invoices/:id/mark_paid", Access: Admin, Summary: "Record payment of a finalized invoice (paid outside Stripe).", Response: "Invoice"}, s.invoiceAction("mark_paid"))
	s.add(route{Method: "POST", Path: "/v1/invoices/:id/mark_uncollectible", Access: Admin, Summary: "Give up collecting a finalized invoice.", Response: "Invoice"}, s.invoiceAction("mark_uncollectible"))
	s.add(route{Method: "POST", Path: "/v1/invoices/:id/regenerate", Access: Admin, Summary: "Draft the replacement of a void invoice from the events stored now (linked by replaces / replaced_by).", Response: "Invoice", Status: 201}, s.invoiceAction("regenerate"))
	s.add(route{Method: "POST", Path: "/v1/subscriptions/:id/cancel", Access: Admin, Summary: "Cancel now, at period end or at a timestamp (prorate credits unused advance fees).", Request: "CancelRequest", Response: "SubscriptionChange"}, s.cancelSubscription)
	s.add(route{Method: "POST", Path: "/v1/subscriptions/:id/change_plan", Access: Admin, Summary: "Move to another plan now or at period end.", Request: "ChangePlanRequest", Response: "SubscriptionChange"}, s.changePlan)

	s.add(route{Method: "GET", Path: "/v1/events", Access: Admin, Summary: "List stored events, newest first.", Response: "EventList", Query: append(pg, "customer", "event_name", "from", "to")}, s.listEvents)

	// Customer portal: a portal token's one customer (the same writers as the admin routes above).
	s.add(route{Method: "GET", Path: "/v1/portal/customer", Access: Portal, Summary: "The token's customer.", Response: "Customer"}, s.portalCustomer)
	s.add(route{Method: "GET", Path: "/v1/portal/proposed_invoices", Access: Portal, Summary: "The proposed invoice of each active subscription of the token's customer, live at ?at= (default now).", Response: "InvoiceList", Query: []string{"at"}, Replica: true}, s.portalProposedInvoices)
	s.add(route{Method: "GET", Path: "/v1/portal/invoices", Access: Portal, Summary: "The token's customer's invoices, oldest first.", Response: "InvoiceList", Query: append(pg, "subscription", "status")}, s.portalInvoices)
	s.add(route{Method: "GET", Path: "/v1/portal/invoices/:id", Access: Portal, Summary: "One invoice of the token's customer (another customer's is 404).", Response: "Invoice"}, s.portalInvoice)
	s.add(route{Method: "GET", Path: "/v1/portal/usage", Access: Portal, Summary: "A meter's usage of the token's customer (buckets in its zone; from defaults to 30 days before to, to to now) and the amount accruing for it on each proposed invoice.", Response: "PortalUsage", Query: []string{"meter", "from", "to", "granularity"}, Replica: true}, s.portalUsage)
	s.add(route{Method: "GET", Path: "/v1/portal/credit_balance", Access: Portal, Summary: "The token's customer's credit balance per unit at ?at= (default now), with its grants.", Response: "CreditBalance", Query: []string{"at"}}, s.portalCreditBalance)
	s.add(route{Method: "GET", Path: "/v1/portal/plan_recommendation", Access: Portal, Summary: "The plan advisor for the token's customer, as GET /v1/customers/{id}/plan_recommendation.", Response: "PlanRecommendation", Query: []string{"basis", "subscription", "include_external_costs"}, Errors: []int{404, 409}}, s.portalRecommendation) // ?subscription= not the customer's: 404; no period to compare: 409
	s.add(route{Method: "GET", Path: "/v1/portal/budgets", Access: Portal, Summary: "The token's customer's budgets, oldest first.", Response: "BudgetList"}, s.portalBudgets)
	s.add(route{Method: "POST", Path: "/v1/portal/budgets", Access: Portal, Summary: "Create a budget of the token's customer (the only write a portal token may make); crossing a threshold sends the tenant's budget.threshold_reached.", Request: "BudgetCreate", Response: "Budget", Status: 201}, s.portalCreateBudget)
	s.add(route{Method: "DELETE", Path: "/v1/portal/budgets/:budget_id", Access: Portal, Summary: "Delete one of the token's customer's budgets.", Response: "Budget"}, s.portalDeleteBudget)

	// Outbound webhooks.
	s.add(route{Method: "POST", Path: "/v1/webhook_endpoints", Access: Admin, Summary: "Create a webhook endpoint; the reply carries its signing secret (shown once).", Request: "WebhookEndpointCreate", Response: "WebhookEndpoint", Status: 201}, s.createWebhookEndpoint)
	s.add(route{Method: "GET", Path: "/v1/webhook_endpoints", Access: Admin, Summary: "List webhook endpoints.", Response: "WebhookEndpointList", Query: pg}, s.listWebhookEndpoints)
	s.add(route{Method: "GET", Path: "/v1/webhook_endpoints/:id", Access: Admin, Summary: "Read a webhook endpoint.", Response: "WebhookEndpoint"}, s.getWebhookEndpoint)
	s.add(route{Method: "PATCH", Path: "/v1/webhook_endpoints/:id", Access: Admin, Summary: "Change a webhook endpoint's url, events or description.", Request: "WebhookEndpointUpdate", Response: "WebhookEndpoint"}, s.updateWebhookEndpoint)
	s.add(route{Method: "DELETE", Path: "/v1/webhook_endpoints/:id", Access: Admin, Summary: "Delete a webhook endpoint and its delivery log.", Response: "WebhookEndpoint"}, s.deleteWebhookEndpoint)
	s.add(route{Method: "GET", Path: "/v1/webhook_endpoints/:id/deliveries", Access: Admin, Summary: "The endpoint's deliveries, newest first.", Response: "WebhookDeliveryList", Query: pg}, s.listWebhookDeliveries)
	s.add(route{Method: "POST", Path: "/v1/webhook_deliveries/:id/redeliver", Access: Admin, Summary: "Send a delivery again now (same event id), retried for 24 h more.", Response: "WebhookDelivery"}, s.redeliverWebhook)

	// Test clock (TALLY_TEST_CLOCK=on only; 404 otherwise).
	s.add(route{Method: "GET", Path: "/v1/test_clock", Access: Admin, Summary: "The tenant's test clock (now, and whether it is set).", Response: "TestClock"}, s.getTestClock)
	s.add(route{Method: "PUT", Path: "/v1/test_clock", Access: Admin, Summary: "Set the tenant's now (forward only; an earlier time is a 409).", Request: "TestClockSet", Response: "TestClock"}, s.setTestClock)
	s.add(route{Method: "DELETE", Path: "/v1/test_clock", Access: Admin, Summary: "Return the tenant to real time.", Response: "TestClock"}, s.clearTestClock)

	// Stripe.
	s.add(route{Method: "POST", Path: "/v1/invoices/:id/sync", Access: Admin, Summary: "Create or update the invoice's Stripe copy (finalized in Stripe once finalized here); 409 stripe_disabled without STRIPE_API_KEY, 502 if Stripe fails.", Response: "Invoice", Errors: []int{502}}, s.syncInvoice)
	s.add(route{Method: "POST", Path: "/v1/webhooks/stripe", Access: Public, Summary: "Stripe invoice events (paid, voided, uncollectible, payment failed), authenticated by the Stripe-Signature header; answers {\"received\": true}.", Response: "WebhookReceived", Errors: []int{409}}, s.stripeWebhook)
}
