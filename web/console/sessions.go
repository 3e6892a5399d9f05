package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/web/ui"
)

// Session timeouts by default: 30 minutes without a request, 12 hours in all.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

// touchEvery is how stale last_seen_at may get before a request writes it
// again (one write a minute at most, not one per page).
const touchEvery = time.Minute

// session is one logged-in admin.
type session struct {
	TenantID string
	KeyID    string
	CSRF     string
	Created  time.Time
	LastSeen time.Time
	Expires  time.Time
	idHash   string
}

type sessionRow struct {
	IDHash     string `gorm:"primaryKey"`
	TenantID   string
	APIKeyID   string `gorm:"column:api_key_id"`
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  int64  `gorm:"autoCreateTime:false"`
	LastSeenAt int64
	ExpiresAt  int64
}

func (sessionRow) TableName() string { return "console_sessions" }

// sessions stores console sessions by the hash of their id.
type sessions struct {
	db             *store.DB
	clock          domain.Clock
	idle, absolute time.Duration
}

func hashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// open stores a new session for the key and returns its id (for the cookie
// only: the table keeps its hash).
func (s *sessions) open(ctx context.Context, tenantID, keyID string) (string, session, error) {
	id := ui.NewSecret()
	now := s.clock.Now(ctx)
	r := sessionRow{IDHash: hashID(id), TenantID: tenantID, APIKeyID: keyID, CSRFToken: ui.NewSecret(),
		CreatedAt: now.UnixMilli(), LastSeenAt: now.UnixMilli(), ExpiresAt: now.Add(s.absolute).UnixMilli()}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return "", session{}, fmt.Errorf("open console session: %w", err)
	}
	return id, r.session(), nil
}

func (r sessionRow) session() session {
	return session{TenantID: r.TenantID, KeyID: r.APIKeyID, CSRF: r.CSRFToken, Created: time.UnixMilli(r.CreatedAt).UTC(),
		LastSeen: time.UnixMilli(r.LastSeenAt).UTC(), Expires: time.UnixMilli(r.ExpiresAt).UTC(), idHash: r.IDHash}
}

// find returns the live session of id, or ok false when there is none or
// it has expired (idle or absolute; an expired row is deleted). A live
// session seen more than touchEvery ago has its last_seen_at moved to now.
func (s *sessions) find(ctx context.Context, id string) (session, bool, error) {
	if id == "" {
		return session{}, false, nil
	}
	var r sessionRow
	if err := s.db.WithContext(ctx).Where("id_hash = ?", hashID(id)).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return session{}, false, nil
		}
		return session{}, false, fmt.Errorf("read console session: %w", err)
	}
	now := s.clock.Now(ctx)
	se := r.session()
	if !now.Before(se.Expires) || now.Sub(se.LastSeen) >= s.idle {
		return session{}, false, s.end(ctx, se)
	}
	if now.Sub(se.LastSeen) >= touchEvery {
		if err := s.db.WithContext(ctx).Model(&sessionRow{}).Where("id_hash = ?", r.IDHash).Update("last_seen_at", now.UnixMilli()).Error; err != nil {
			return session{}, false, fmt.Errorf("touch console session: %w", err)
		}
		se.LastSeen = now
	}
	return se, true, nil
}

// end deletes one session.
func (s *sessions) end(ctx context.Context, se session) error {
	if err := s.db.WithContext(ctx).Where("id_hash = ?", se.idHash).Delete(&sessionRow{}).Error; err != nil {
		return fmt.Errorf("end console session: %w", err)
	}
	return nil
}

// endKey deletes every session opened with the key (it was revoked).
func (s *sessions) endKey(ctx context.Context, tenantID, keyID string) error {
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND api_key_id = ?", tenantID, keyID).Delete(&sessionRow{}).Error; err != nil {
		return fmt.Errorf("end console sessions of key: %w", err)
	}
	return nil
}

// sweep deletes the sessions whose absolute expiry has passed (called on
// login, so the table never grows without bound).
func (s *sessions) sweep(ctx context.Context) error {
	cut := s.clock.Now(ctx)
	return s.db.WithContext(ctx).Where("expires_at <= ? OR last_seen_at <= ?", cut.UnixMilli(), cut.Add(-s.idle).UnixMilli()).Delete(&sessionRow{}).Error
}
