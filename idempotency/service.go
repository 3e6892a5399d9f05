package idempotency

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm/clause"
)

// Service stores idempotency keys durably (table idempotency_keys, on
// either store). It is safe for concurrent use, also by several servers on
// one Postgres database.
type Service struct {
	db    *store.DB
	clock domain.Clock

	mu        sync.Mutex
	lastPrune time.Time
}

// NewService returns a Service on db; clock is the service clock keys
// expire by.
func NewService(db *store.DB, clock domain.Clock) *Service {
	return &Service{db: db, clock: clock}
}

// now reads the service clock alone: a context's test-clock "now" (a
// tenant's rehearsal time) must not expire or revive keys.
func (s *Service) now() time.Time { return s.clock.Now(context.Background()) }

// maxAttempts bounds Begin's retries when the row it looked at vanished
// (released or pruned) or was taken over in between.
const maxAttempts = 3

// Begin claims r.Key for r.Owner, or finds what an identical earlier request
// answered. It returns a Claim with Replay set for a completed identical
// request; a Claim without Replay means the caller now holds the key and
// must Complete or Release it. An expired key (TTL) is claimed afresh.
//
// Errors: a validation error (422) for a key that is empty, too long or not
// printable UTF-8; idempotency_key_reused (422) when the key was used for a
// different method, path or body; idempotency_in_progress (409) while the
// first request with the key runs.
func (s *Service) Begin(ctx context.Context, r Request) (Claim, error) {
	if err := r.validate(); err != nil {
		return Claim{}, err
	}
	now := s.now()
	s.pruneIfDue(ctx, now)
	for range maxAttempts {
		row := keyRow{Owner: r.Owner, IdempotencyKey: r.Key, Method: r.Method, Path: r.Path, BodyHash: r.BodyHash, CreatedAt: now.UnixMicro()}
		res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return Claim{}, fmt.Errorf("claim idempotency key: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			return Claim{Request: r, token: row.CreatedAt}, nil
		}
		var old keyRow
		err := s.db.WithContext(ctx).Where("owner = ? AND idempotency_key = ?", r.Owner, r.Key).Take(&old).Error
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return Claim{}, fmt.Errorf("read idempotency key: %w", err)
		}
		if expired(old, now) {
			// Take the expired row over, unless another request just did.
			res := s.db.WithContext(ctx).Model(&keyRow{}).
				Where("owner = ? AND idempotency_key = ? AND created_at = ?", r.Owner, r.Key, old.CreatedAt).
				Updates(map[string]any{"method": r.Method, "path": r.Path, "body_hash": r.BodyHash, "status": nil,
					"content_type": "", "response_body": nil, "created_at": row.CreatedAt})
			if res.Error != nil {
				return Claim{}, fmt.Errorf("renew idempotency key: %w", res.Error)
			}
			if res.RowsAffected == 1 {
				return Claim{Request: r, token: row.CreatedAt}, nil
			}
			continue
		}
		if !r.sameRequest(old) {
			return Claim{}, reused(old)
		}
		if old.Status == nil {
			return Claim{}, inProgress()
		}
		return Claim{Request: r, Replay: old.response()}, nil
	}
	return Claim{}, inProgress()
}

// Complete stores the reply of the claimed request, to be replayed to
// retries until the key expires. It does nothing if the claim was lost
// meanwhile (the key expired and another request renewed it).
func (s *Service) Complete(ctx context.Context, c Claim, resp Response) error {
	if c.Replay != nil {
		return errors.New("complete a replayed idempotency claim")
	}
	body := resp.Body
	if body == nil {
		body = []byte{}
	}
	err := s.db.WithContext(ctx).Model(&keyRow{}).
		Where("owner = ? AND idempotency_key = ? AND created_at = ? AND status IS NULL", c.Request.Owner, c.Request.Key, c.token).
		Updates(map[string]any{"status": resp.Status, "content_type": resp.ContentType, "response_body": body}).Error
	if err != nil {
		return fmt.Errorf("store idempotent reply: %w", err)
	}
	return nil
}

// Release gives the claimed key back unanswered, so that the next request
// with it is processed anew (api does this after a 5xx or a panic).
func (s *Service) Release(ctx context.Context, c Claim) error {
	if c.Replay != nil {
		return nil
	}
	err := s.db.WithContext(ctx).
		Where("owner = ? AND idempotency_key = ? AND created_at = ? AND status IS NULL", c.Request.Owner, c.Request.Key, c.token).
		Delete(&keyRow{}).Error
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// Prune deletes every key expired at now and returns how many.
func (s *Service) Prune(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at <= ?", now.Add(-TTL).UnixMicro()).Delete(&keyRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// pruneIfDue prunes when PruneEvery has passed since the last prune of this
// Service (or the clock went back). Pruning is opportunistic: a failure is
// left for the next due Begin, and the claim that follows reports any
// database outage itself.
func (s *Service) pruneIfDue(ctx context.Context, now time.Time) {
	s.mu.Lock()
	due := s.lastPrune.IsZero() || now.Sub(s.lastPrune) >= PruneEvery || now.Before(s.lastPrune)
	if due {
		s.lastPrune = now
	}
	s.mu.Unlock()
	if due {
		_, _ = s.Prune(ctx, now)
	}
}

// expired reports whether row's key is free again at now.
func expired(row keyRow, now time.Time) bool {
	return now.Sub(time.UnixMicro(row.CreatedAt)) >= TTL
}
