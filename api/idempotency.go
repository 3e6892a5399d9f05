package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/idempotency"
)

// Header names of idempotent requests (api.md, "Idempotent requests").
const (
	HeaderIdempotencyKey     = "Idempotency-Key"
	HeaderIdempotentReplayed = "Idempotent-Replayed"
)

// IdempotencyKeys is what the idempotency middleware needs from its store
// (package idempotency's Service): claim a key or find its stored reply,
// then store the reply or give the key back.
type IdempotencyKeys interface {
	Begin(ctx context.Context, r idempotency.Request) (idempotency.Claim, error)
	Complete(ctx context.Context, c idempotency.Claim, resp idempotency.Response) error
	Release(ctx context.Context, c idempotency.Claim) error
}

// idempotent is the middleware of every authenticated POST route, after
// authentication (so keys are per caller: each API key, and the root key,
// has its own). Without an Idempotency-Key header a request is untouched.
// With one:
//
//   - the first request is processed and its reply stored (status, content
//     type, body), unless it is a 5xx or the handler panics: then the key
//     is given back and a retry is processed anew. Tally's 5xx mean the work
//     was not done (a write is one transaction), and a retry after an outage
//     should succeed rather than replay the outage. (Stripe's API v1 replays
//     500s too; Tally deliberately does not.)
//   - a retry with the same method, path and body (compared as canonical
//     JSON, see canonicalBody) within 24 h gets the stored reply with
//     Idempotent-Replayed: true, and nothing runs again;
//   - the same key with another request is a 422 idempotency_key_reused;
//   - a retry while the first request still runs is a 409
//     idempotency_in_progress with Retry-After: 1, at once (no request waits
//     for another: the client's retry loop decides), so exactly one request
//     per key is ever processed;
//   - a key older than 24 h (service clock) is free again.
//
// Public POSTs (Stripe webhooks, authenticated by signature and deduplicated
// by event id) have no caller to scope keys to and ignore the header, as
// does a server built without an IdempotencyKeys store.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		keys, present := req.Header[HeaderIdempotencyKey]
		p, authed := c.Get(principalKey).(principal)
		if !present || !authed || s.Idempotency == nil || req.Method != http.MethodPost {
			return next(c)
		}
		owner := p.keyID
		if p.root {
			owner = idempotency.RootOwner
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		claim, err := s.Idempotency.Begin(req.Context(), idempotency.Request{Owner: owner, Key: keys[0],
			Method: req.Method, Path: req.URL.RequestURI(), BodyHash: idempotency.HashBody(canonicalBody(body))})
		if err != nil {
			if domain.KindOf(err) == domain.KindConflict {
				c.Response().Header().Set("Retry-After", "1")
			}
			return err
		}
		if claim.Replay != nil {
			return replay(c, *claim.Replay)
		}
		return s.runClaimed(c, next, claim)
	}
}

// runClaimed runs the handler for a claimed key, recording its reply, and
// then stores the reply or releases the key. A store failure after the
// reply went out is logged: the key then stays in progress until it
// expires, which is safer than letting a retry do the work twice.
func (s *Server) runClaimed(c echo.Context, next echo.HandlerFunc, claim idempotency.Claim) error {
	// Finish even if the client hung up: an abandoned claim blocks the key.
	ctx := context.WithoutCancel(c.Request().Context())
	res := c.Response()
	rec := &recorder{ResponseWriter: res.Writer}
	res.Writer = rec
	finished := false
	defer func() {
		res.Writer = rec.ResponseWriter
		if !finished { // the handler panicked: the recoverer answers 500
			s.releaseKey(ctx, c, claim)
		}
	}()
	if err := next(c); err != nil {
		s.errorHandler(err, c)
	}
	finished = true
	if res.Status >= 500 {
		s.releaseKey(ctx, c, claim)
		return nil
	}
	reply := idempotency.Response{Status: res.Status, ContentType: res.Header().Get(echo.HeaderContentType), Body: rec.body.Bytes()}
	if err := s.Idempotency.Complete(ctx, claim, reply); err != nil {
		s.log.Error("idempotent reply not stored; the key stays in progress until it expires",
			slog.String("request_id", requestID(c)), slog.Any("error", err))
	}
	return nil
}

func (s *Server) releaseKey(ctx context.Context, c echo.Context, claim idempotency.Claim) {
	if err := s.Idempotency.Release(ctx, claim); err != nil {
		s.log.Error("idempotency key not released; it stays in progress until it expires",
			slog.String("request_id", requestID(c)), slog.Any("error", err))
	}
}

// replay answers with a stored reply, marked Idempotent-Replayed: true.
func replay(c echo.Context, r idempotency.Response) error {
	h := c.Response().Header()
	if r.ContentType != "" {
		h.Set(echo.HeaderContentType, r.ContentType)
	}
	h.Set(HeaderIdempotentReplayed, "true")
	c.Response().WriteHeader(r.Status)
	_, err := c.Response().Write(r.Body)
	return err
}
