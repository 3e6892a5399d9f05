package console

// routes is the one table of console routes. The tests walk it: every POST
// must refuse a missing CSRF token, and every route with an owned id must
// answer 404 for another tenant's.
func (c *Console) routes() []route {
	return []route{
		{method: "GET", path: "/console/login", page: "login", public: true, handle: loginForm},
		{method: "POST", path: "/console/login", page: "login", public: true, handle: login},
		{method: "POST", path: "/console/logout", handle: logout},
		{method: "GET", path: "/console/", page: "overview", handle: overview},

		{method: "GET", path: "/console/meters", page: "meters", handle: listMeters},
		{method: "GET", path: "/console/meters/new", page: "meter_new", handle: newMeter},
		{method: "GET", path: "/console/meters/preview", page: "meter_new", handle: previewMeter},
		{method: "POST", path: "/console/meters", page: "meter_new", handle: createMeter},

		{method: "GET", path: "/console/plans", page: "plans", handle: listPlans},
		{method: "GET", path: "/console/plans/new", page: "plan_new", handle: newPlan},
		{method: "GET", path: "/console/plans/preview", page: "plan_new", handle: previewPlan},
		{method: "POST", path: "/console/plans", page: "plan_new", handle: createPlan},
		{method: "GET", path: "/console/plans/:id", page: "plan", owned: "plan", handle: showPlan},
		{method: "GET", path: "/console/plans/:id/calculate", page: "plan", owned: "plan", handle: calculatePlan},

		{method: "GET", path: "/console/customers", page: "customers", handle: listCustomers},
		{method: "GET", path: "/console/customers/new", page: "customer_new", handle: newCustomer},
		{method: "POST", path: "/console/customers", page: "customer_new", handle: createCustomer},
		{method: "GET", path: "/console/customers/:id", page: "customer", owned: "customer", handle: showCustomer},
		{method: "POST", path: "/console/customers/:id/subscriptions", page: "customer", owned: "customer", handle: subscribe},
		{method: "POST", path: "/console/customers/:id/credit_grants", page: "customer", owned: "customer", handle: grantCredits},
		{method: "POST", path: "/console/customers/:id/budgets", page: "customer", owned: "customer", handle: createBudget},
		{method: "POST", path: "/console/budgets/:id/delete", owned: "budget", handle: deleteBudget},
		{method: "POST", path: "/console/subscriptions/:id/cancel", page: "customer", owned: "subscription", handle: cancelSubscription},
		{method: "POST", path: "/console/subscriptions/:id/change_plan", page: "customer", owned: "subscription", handle: changePlan},

		{method: "GET", path: "/console/invoices", page: "invoices", handle: listInvoices},
		{method: "GET", path: "/console/invoices/:id", page: "invoice", owned: "invoice", handle: showInvoice},
		{method: "POST", path: "/console/invoices/:id/finalize", owned: "invoice", handle: invoiceAction("finalize")},
		{method: "POST", path: "/console/invoices/:id/void", owned: "invoice", handle: invoiceAction("void")},
		{method: "POST", path: "/console/invoices/:id/regenerate", owned: "invoice", handle: invoiceAction("regenerate")},
		{method: "POST", path: "/console/invoices/:id/sync", owned: "invoice", handle: invoiceAction("sync")},
		{method: "GET", path: "/console/runs/new", page: "run", handle: newRun},
		{method: "POST", path: "/console/runs", page: "run", handle: startRun},
		{method: "GET", path: "/console/runs/:id", page: "run", owned: "run", handle: showRun},
		{method: "GET", path: "/console/runs/:id/progress", page: "run", owned: "run", handle: runProgress},

		{method: "GET", path: "/console/backtest", page: "backtest", handle: backtest},

		{method: "GET", path: "/console/webhooks", page: "webhooks", handle: listWebhooks},
		{method: "POST", path: "/console/webhooks", page: "webhooks", handle: createWebhook},
		{method: "GET", path: "/console/webhooks/:id", page: "webhook", owned: "endpoint", handle: showWebhook},
		{method: "POST", path: "/console/webhooks/:id/delete", owned: "endpoint", handle: deleteWebhook},
		{method: "POST", path: "/console/deliveries/:id/redeliver", owned: "delivery", handle: redeliver},

		{method: "GET", path: "/console/api_keys", page: "api_keys", handle: listKeys},
		{method: "POST", path: "/console/api_keys", page: "api_keys", handle: createKey},
		{method: "POST", path: "/console/api_keys/:id/revoke", owned: "key", handle: revokeKey},
	}
}
