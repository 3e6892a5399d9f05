package idempotency

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func req(owner, key, body string) Request {
	return Request{Owner: owner, Key: key, Method: "POST", Path: "/v1/things", BodyHash: HashBody([]byte(body))}
}

func code(err error) string {
	if e, ok := domain.AsError(err); ok {
		return e.Code
	}
	return ""
}

func TestService(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, s *Service, clock *domain.FixedClock)
	}{
		{"a completed key replays its reply to an identical request", func(t *testing.T, s *Service, _ *domain.FixedClock) {
			c, err := s.Begin(ctx, req("k1", "a", `{}`))
			if err != nil || c.Replay != nil {
				t.Fatalf("first Begin = %+v, %v; want a fresh claim", c, err)
			}
			if err := s.Complete(ctx, c, Response{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"x"}`)}); err != nil {
				t.Fatal(err)
			}
			again, err := s.Begin(ctx, req("k1", "a", `{}`))
			if err != nil || again.Replay == nil {
				t.Fatalf("second Begin = %+v, %v; want a replay", again, err)
			}
			if r := again.Replay; r.Status != 201 || r.ContentType != "application/json" || string(r.Body) != `{"id":"x"}` {
				t.Errorf("replay = %d %q %s", r.Status, r.ContentType, r.Body)
			}
		}},
		{"another body with the key is idempotency_key_reused, done or running", func(t *testing.T, s *Service, _ *domain.FixedClock) {
			c, _ := s.Begin(ctx, req("k1", "a", `{"n":1}`))
			if _, err := s.Begin(ctx, req("k1", "a", `{"n":2}`)); code(err) != "idempotency_key_reused" {
				t.Errorf("while running: %v, want idempotency_key_reused", err)
			}
			_ = s.Complete(ctx, c, Response{Status: 200})
			if _, err := s.Begin(ctx, req("k1", "a", `{"n":2}`)); code(err) != "idempotency_key_reused" {
				t.Errorf("when done: %v, want idempotency_key_reused", err)
			}
		}},
		{"a retry while the first runs is idempotency_in_progress", func(t *testing.T, s *Service, _ *domain.FixedClock) {
			_, _ = s.Begin(ctx, req("k1", "a", `{}`))
			if _, err := s.Begin(ctx, req("k1", "a", `{}`)); code(err) != "idempotency_in_progress" || domain.KindOf(err) != domain.KindConflict {
				t.Errorf("got %v, want the conflict idempotency_in_progress", err)
			}
		}},
		{"a released key is processed anew", func(t *testing.T, s *Service, _ *domain.FixedClock) {
			c, _ := s.Begin(ctx, req("k1", "a", `{}`))
			if err := s.Release(ctx, c); err != nil {
				t.Fatal(err)
			}
			if c, err := s.Begin(ctx, req("k1", "a", `{"other":true}`)); err != nil || c.Replay != nil {
				t.Errorf("after release: %+v, %v; want a fresh claim", c, err)
			}
		}},
		{"two owners use one key independently", func(t *testing.T, s *Service, _ *domain.FixedClock) {
			c, _ := s.Begin(ctx, req("k1", "a", `{"n":1}`))
			_ = s.Complete(ctx, c, Response{Status: 201})
			if c, err := s.Begin(ctx, req(RootOwner, "a", `{"n":2}`)); err != nil || c.Replay != nil {
				t.Errorf("other owner: %+v, %v; want a fresh claim", c, err)
			}
		}},
		{"an expired key is renewed even when no prune is due", func(t *testing.T, s *Service, clock *domain.FixedClock) {
			c, _ := s.Begin(ctx, req("k1", "a", `{"n":1}`))
			_ = s.Complete(ctx, c, Response{Status: 201})
			clock.Advance(TTL)
			s.lastPrune = clock.Now(ctx) // as if another request had just pruned
			c, err := s.Begin(ctx, req("k1", "a", `{"n":2}`))
			if err != nil || c.Replay != nil {
				t.Fatalf("after 24 h: %+v, %v; want a fresh claim", c, err)
			}
			if _, err := s.Begin(ctx, req("k1", "a", `{"n":2}`)); code(err) != "idempotency_in_progress" {
				t.Errorf("the renewed key: %v, want idempotency_in_progress", err)
			}
		}},
		{"a key just under 24 h old still replays", func(t *testing.T, s *Service, clock *domain.FixedClock) {
			c, _ := s.Begin(ctx, req("k1", "a", `{}`))
			_ = s.Complete(ctx, c, Response{Status: 201})
			clock.Advance(TTL - time.Microsecond)
			if c, err := s.Begin(ctx, req("k1", "a", `{}`)); err != nil || c.Replay == nil {
				t.Errorf("at 24 h − 1 µs: %+v, %v; want a replay", c, err)
			}
		}},
		{"a due prune deletes expired keys and keeps the others", func(t *testing.T, s *Service, clock *domain.FixedClock) {
			c, _ := s.Begin(ctx, req("k1", "old", `{}`))
			_ = s.Complete(ctx, c, Response{Status: 201})
			clock.Advance(TTL - PruneEvery)
			c, _ = s.Begin(ctx, req("k1", "young", `{}`))
			_ = s.Complete(ctx, c, Response{Status: 201})
			clock.Advance(PruneEvery)
			_, _ = s.Begin(ctx, req("k1", "trigger", `{}`))
			var keys []string
			s.db.WithContext(ctx).Model(&keyRow{}).Order("idempotency_key").Pluck("idempotency_key", &keys)
			if len(keys) != 2 || keys[0] != "trigger" || keys[1] != "young" {
				t.Errorf("keys after prune = %v, want [trigger young]", keys)
			}
		}},
		{"keys that are empty, too long or not printable are invalid", func(t *testing.T, s *Service, _ *domain.FixedClock) {
			long := make([]byte, MaxKeyLength+1)
			for i := range long {
				long[i] = 'k'
			}
			for _, k := range []string{"", string(long), "a\x00b", "\xff"} {
				if _, err := s.Begin(ctx, req("k1", k, `{}`)); domain.KindOf(err) != domain.KindValidation {
					t.Errorf("key %q: %v, want a validation error", k, err)
				}
			}
			if _, err := s.Begin(ctx, req("k1", string(long[:MaxKeyLength]), `{}`)); err != nil {
				t.Errorf("a key of %d characters: %v", MaxKeyLength, err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				clock := domain.NewFixedClock(t0)
				tc.run(t, NewService(db, clock), clock)
			})
		})
	}
}
