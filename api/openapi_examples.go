package api

// examples are sample bodies of the main components, shown with every
// request or reply that uses them (the lint checks they fit their schema).
var examples = map[string]any{
	"MeterCreate": map[string]any{"key": "input_tokens", "name": "Input tokens", "event_name": "llm.usage",
		"aggregation": map[string]any{"type": "sum", "field": "input_tokens"},
		"filters":     map[string]any{"model": []any{"o1"}}, "unit": "tokens"},
	"PlanCreate": map[string]any{"key": "byok_pro", "name": "BYOK Pro", "currency": "USD", "interval": "month",
		"prices": []any{
			map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "19.00", "cadence": "advance"},
			map[string]any{"key": "exec", "type": "usage", "meter": "executions", "model": "per_unit", "amount": "0.001"},
		}},
	"CustomerCreate": map[string]any{"external_id": "acme", "name": "Acme Inc.", "email": "billing@acme.test",
		"currency": "USD", "timezone": "Europe/Paris"},
	"SubscriptionCreate": map[string]any{"customer": "acme", "plan": "byok_pro", "start_at": "2026-03-01T00:00:00Z",
		"billing_cycle": "calendar", "trial_days": 0},
	"Event": map[string]any{"id": "req_8f1c", "event_name": "llm.usage", "customer": "acme",
		"timestamp": "2026-03-05T10:00:00Z", "properties": map[string]any{"model": "o1", "input_tokens": 5000000}},
	"EventBatch": map[string]any{"events": []any{
		map[string]any{"id": "req_8f1c", "event_name": "llm.usage", "customer": "acme", "timestamp": "2026-03-05T10:00:00Z",
			"properties": map[string]any{"model": "o1", "input_tokens": 5000000}},
	}},
	"IngestResult": map[string]any{"accepted": 1, "duplicates": 0, "rejected": []any{}},
	"CreditGrantCreate": map[string]any{"name": "Top-up", "amount": "10.00", "expires_at": "2027-01-01T00:00:00Z",
		"priority": 1, "applies_to": "usage", "paid": true, "price": "10.00"},
	"InvoiceRunCreate": map[string]any{"as_of": "2026-04-01T00:00:00Z", "wait": true},
	"CancelRequest":    map[string]any{"at": "period_end", "prorate": false},
	"Error": map[string]any{"error": map[string]any{"code": "validation_failed", "message": "invalid meter",
		"details": []any{map[string]any{"field": "aggregation.field", "message": "is required for sum"}}}},
	"Invoice": map[string]any{
		"id": "inv_01J0000000000000000000000", "number": nil, "status": "draft", "billing_reason": "cycle",
		"customer_id": "cus_01J0000000000000000000000", "subscription_id": "sub_01J0000000000000000000000",
		"currency": "USD", "period_start": "2026-03-01T00:00:00Z", "period_end": "2026-04-01T00:00:00Z",
		"lines": []any{map[string]any{
			"price_key": "exec", "type": "usage", "meter": "executions", "description": "Executions",
			"quantity": "50000", "amount": "50.00", "period_start": "2026-03-01T00:00:00Z", "period_end": "2026-04-01T00:00:00Z",
			"proration": nil, "tiers": nil, "price_unit": nil, "unit_amount": nil, "conversion_rate": nil,
			"credits_applied": "0.00", "credit_units": nil,
		}},
		"subtotal": "50.00", "credits_applied": "0.00", "total": "50.00", "note": nil,
		"stripe_invoice_id": nil, "stripe_sync_error": nil, "created_at": "2026-04-01T00:05:00Z",
		"finalized_at": nil, "replaces": nil, "replaced_by": nil,
	},
}
