package stripesync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"golang.org/x/time/rate"
)

// StripeError is a Stripe call that failed for good (after any retries). The
// API answers it with 502: the fault is upstream, not in the request.
type StripeError struct {
	Op       string // what was attempted, e.g. "create invoice item"
	Attempts int
	Status   int // HTTP status of the last answer; 0 for none (timeout)
	Err      error
}

func (e *StripeError) Error() string {
	msg := e.Err.Error()
	var se *stripe.Error
	if errors.As(e.Err, &se) && se.Msg != "" {
		msg = se.Msg
		if se.Code != "" {
			msg += " (" + string(se.Code) + ")"
		}
	}
	msg = redactText(msg) // also shown to API clients (502) and stored as the invoice's stripe_sync_error
	if e.Status != 0 {
		return fmt.Sprintf("stripe: %s failed with %d after %d attempt(s): %s", e.Op, e.Status, e.Attempts, msg)
	}
	return fmt.Sprintf("stripe: %s failed after %d attempt(s): %s", e.Op, e.Attempts, msg)
}

func (e *StripeError) Unwrap() error { return e.Err }

// stripeCode returns the Stripe error code of err ("resource_missing"), if
// any.
func stripeCode(err error) stripe.ErrorCode {
	var se *stripe.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

// isIdempotencyError reports a key reused with other parameters.
func isIdempotencyError(err error) bool {
	var se *stripe.Error
	return errors.As(err, &se) && se.Type == stripe.ErrorTypeIdempotency
}

// answer is what the transport saw of one HTTP exchange; the retry loop
// reads it, since stripe-go hides the status of a response it could not
// parse and never shows the Stripe-Should-Retry header.
type answer struct {
	status      int
	shouldRetry string
}

type answerKey struct{}

// recordingTransport notes each response's status and Stripe-Should-Retry
// header in the answer carried by the request's context.
type recordingTransport struct{ next http.RoundTripper }

func (t recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(r)
	if a, ok := r.Context().Value(answerKey{}).(*answer); ok && res != nil {
		a.status = res.StatusCode
		a.shouldRetry = res.Header.Get("Stripe-Should-Retry")
	}
	return res, err
}

// newAPI builds the stripe-go client: the configured base URL, an HTTP
// client with a timeout, and no retries of its own (call retries).
func newAPI(cfg Config, log *slog.Logger) *client.API {
	bc := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: cfg.RequestTimeout, Transport: recordingTransport{next: http.DefaultTransport}},
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     slogLeveled{log},
	}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
	return client.New(cfg.APIKey, &stripe.Backends{API: backend, Connect: backend, Uploads: backend})
}

// call runs one Stripe request through the rate limiter, retrying what may
// succeed on a second try. fn makes the request with the context it is
// given (see use). The same idempotency key is sent on every attempt, so a
// retried create that Stripe had already performed returns the object it
// made instead of making another.
func (s *Syncer) call(ctx context.Context, op, key string, fn func(actx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		if err := s.limiter.Wait(ctx); err != nil {
			s.failed(op, "canceled")
			return &StripeError{Op: op, Attempts: attempt, Err: err}
		}
		a := &answer{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, answerKey{}, a), s.cfg.RequestTimeout)
		err := fn(actx)
		cancel()
		if err == nil {
			s.metrics.StripeCall(op, "ok")
			return nil
		}
		retry, why := s.retryable(ctx, err, a)
		status := a.status
		if status < 400 {
			status = 0 // no (complete) answer
		}
		if !retry || attempt >= s.cfg.MaxRetries {
			s.failed(op, failureCode(ctx, err, status))
			s.log.Warn("stripe call failed", slog.String("op", op), slog.String("idempotency_key", key),
				slog.Int("attempts", attempt+1), slog.Int("status", status), slog.String("not_retried", why),
				slog.String("code", string(stripeCode(err))), slog.String("error", Redact(err)))
			return &StripeError{Op: op, Attempts: attempt + 1, Status: status, Err: err}
		}
		wait := s.backoff(attempt)
		s.metrics.StripeRetry(op)
		s.log.Info("stripe call retried", slog.String("op", op), slog.String("idempotency_key", key),
			slog.Int("attempt", attempt+1), slog.Int("status", status), slog.Int64("wait_ms", wait.Milliseconds()),
			slog.String("code", string(stripeCode(err))), slog.String("error", Redact(err)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			s.failed(op, "canceled")
			return &StripeError{Op: op, Attempts: attempt + 1, Status: status, Err: ctx.Err()}
		case <-t.C:
		}
	}
}

// failed counts a call failed for good.
func (s *Syncer) failed(op, code string) {
	s.metrics.StripeCall(op, "error")
	s.metrics.StripeFailure(code)
}

// failureCode names a failure for metrics: Stripe's error code, else
// http_STATUS, else canceled or timeout (no answer).
func failureCode(ctx context.Context, err error, status int) string {
	switch {
	case stripeCode(err) != "":
		return string(stripeCode(err))
	case status != 0:
		return "http_" + strconv.Itoa(status)
	case ctx.Err() != nil:
		return "canceled"
	}
	return "timeout"
}

// emailPattern matches e-mail addresses, which Stripe error messages may
// quote (an invalid or duplicate customer e-mail).
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+`)

// keyPattern matches Stripe secret and restricted keys and bearer
// credentials, which an upstream (a proxy, a mock, a misbehaving gateway)
// may echo in an error message.
var keyPattern = regexp.MustCompile(`\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]+|(?i:bearer)\s+\S+`)

// Redact is err's message for logs: e-mail addresses (customers' personal
// data, which Stripe's messages may quote) replaced by "[email]", and
// anything that looks like a Stripe key or bearer credential by "[key]".
func Redact(err error) string {
	if err == nil {
		return ""
	}
	return redactText(err.Error())
}

func redactText(s string) string {
	return emailPattern.ReplaceAllString(keyPattern.ReplaceAllString(s, "[key]"), "[email]")
}

// use points a request's parameters at the attempt's context and sets its
// idempotency key ("" for reads).
func use(ctx context.Context, p *stripe.Params, key string) {
	p.Context = ctx
	if key != "" {
		p.IdempotencyKey = stripe.String(key)
	}
}

// retryable says whether a failed attempt is worth repeating, and if not,
// why.
func (s *Syncer) retryable(ctx context.Context, err error, a *answer) (bool, string) {
	if ctx.Err() != nil {
		return false, "canceled"
	}
	if a.shouldRetry == "false" {
		return false, "Stripe-Should-Retry: false"
	}
	if a.shouldRetry == "true" {
		return true, ""
	}
	if a.status < 400 {
		// No (complete) answer: a timeout, a reset or refused connection,
		// a body cut short. The request may or may not have been
		// performed; the idempotency key makes the repeat safe.
		return true, ""
	}
	switch {
	case a.status == http.StatusConflict, a.status == http.StatusTooManyRequests, a.status >= 500:
		return true, ""
	}
	return false, fmt.Sprintf("status %d is final", a.status)
}

// backoff is the wait before retry n+1: MinBackoff doubled per retry up to
// MaxBackoff, of which a random half to all is taken (jitter keeps many
// syncers from retrying in step).
func (s *Syncer) backoff(n int) time.Duration {
	d := s.cfg.MinBackoff
	for i := 0; i < n && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	if d > s.cfg.MaxBackoff {
		d = s.cfg.MaxBackoff
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func newLimiter(perSecond float64) *rate.Limiter {
	burst := int(perSecond / 5)
	if burst < 1 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(perSecond), burst)
}

// slogLeveled sends stripe-go's own log lines to slog at debug level (the
// Syncer logs failures itself, with context), redacted as Redact does:
// stripe-go quotes Stripe's answers, which may quote a key.
type slogLeveled struct{ log *slog.Logger }

func (l slogLeveled) debug(format string, v ...any) {
	l.log.Debug("stripe-go: " + redactText(fmt.Sprintf(format, v...)))
}

func (l slogLeveled) Debugf(format string, v ...any) { l.debug(format, v...) }
func (l slogLeveled) Infof(format string, v ...any)  { l.debug(format, v...) }
func (l slogLeveled) Warnf(format string, v ...any)  { l.debug(format, v...) }
func (l slogLeveled) Errorf(format string, v ...any) { l.debug(format, v...) }
