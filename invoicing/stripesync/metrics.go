package stripesync

// Metrics receives the Stripe calls' outcomes (api.Metrics exports them).
type Metrics interface {
	// StripeCall counts a call, after its retries, by operation and
	// outcome: "ok" or "error".
	StripeCall(op, outcome string)
	// StripeRetry counts one repeated attempt.
	StripeRetry(op string)
	// StripeFailure counts a call failed for good by its code: Stripe's
	// error code, http_STATUS, timeout or canceled.
	StripeFailure(code string)
}

type noMetrics struct{}

func (noMetrics) StripeCall(string, string) {}
func (noMetrics) StripeRetry(string)        {}
func (noMetrics) StripeFailure(string)      {}
