package webhooks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// DispatchConfig tunes a Dispatcher; zero fields take the defaults.
type DispatchConfig struct {
	Timeout     time.Duration // per request, default 10 s
	Concurrency int           // endpoints sent to at once, default 8
	Batch       int           // due deliveries read per round, default 500
	PerEndpoint int           // deliveries sent per endpoint per round, default 50
	BaseDelay   time.Duration // first retry delay, default 30 s (doubling)
	MaxDelay    time.Duration // longest retry delay, default 2 h
	// Jitter spreads each retry delay by ±Jitter of itself (default 0.2;
	// negative: none, for tests that want exact times).
	Jitter float64
	Client *http.Client // default: a client with Timeout
}

func (c DispatchConfig) defaults() DispatchConfig {
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.Batch == 0 {
		c.Batch = 500
	}
	if c.PerEndpoint == 0 {
		c.PerEndpoint = 50
	}
	if c.BaseDelay == 0 {
		c.BaseDelay = 30 * time.Second
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = 2 * time.Hour
	}
	if c.Jitter == 0 {
		c.Jitter = 0.2
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout}
	}
	return c
}

// Dispatcher sends due deliveries. It is safe to run several at once (on
// one server or many): each delivery is claimed with a conditional update
// before it is sent.
type Dispatcher struct {
	db    *store.DB
	clock domain.Clock
	cfg   DispatchConfig
	log   *slog.Logger
}

// NewDispatcher returns a Dispatcher.
func NewDispatcher(db *store.DB, clock domain.Clock, cfg DispatchConfig, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.Default()
	}
	return &Dispatcher{db: db, clock: clock, cfg: cfg.defaults(), log: log}
}

// Delay is the wait before retry n (n ≥ 1 failed attempts): BaseDelay
// doubled per attempt, at most MaxDelay, before jitter.
func (d *Dispatcher) Delay(n int) time.Duration {
	delay := d.cfg.BaseDelay
	for i := 1; i < n && delay < d.cfg.MaxDelay; i++ {
		delay *= 2
	}
	return min(delay, d.cfg.MaxDelay)
}

func (d *Dispatcher) jittered(n int) time.Duration {
	delay := d.Delay(n)
	if d.cfg.Jitter > 0 {
		delay += time.Duration((rand.Float64()*2 - 1) * d.cfg.Jitter * float64(delay))
	}
	return delay
}

type due struct {
	deliveryRow
	url, secret, body string
	created           int64
}

// RunOnce sends every delivery due now (up to Batch), one goroutine per
// endpoint and at most Concurrency at once, each endpoint's in event order.
// An endpoint whose attempt fails gets no more attempts this round. It
// returns how many were delivered.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	rows, err := d.due(ctx)
	if err != nil {
		return 0, err
	}
	byEndpoint := map[string][]due{}
	var order []string
	for _, r := range rows {
		if _, ok := byEndpoint[r.EndpointID]; !ok {
			order = append(order, r.EndpointID)
		}
		if len(byEndpoint[r.EndpointID]) < d.cfg.PerEndpoint {
			byEndpoint[r.EndpointID] = append(byEndpoint[r.EndpointID], r)
		}
	}
	var mu sync.Mutex
	sent := 0
	sem := make(chan struct{}, d.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, ep := range order {
		list := byEndpoint[ep]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for _, r := range list {
				ok, err := d.attempt(ctx, r)
				if err != nil {
					d.log.Error("webhook delivery", slog.String("delivery", r.ID), slog.Any("error", err))
				}
				if ok {
					mu.Lock()
					sent++
					mu.Unlock()
				} else {
					return // this endpoint is failing: its other deliveries wait for the next round
				}
			}
		}()
	}
	wg.Wait()
	return sent, nil
}

// attempt claims one delivery, sends it and records the outcome. It
// reports whether the receiver took it (false also when another
// dispatcher claimed it first).
// due reads the deliveries due now with their endpoints and events, each
// endpoint's in event creation order.
func (d *Dispatcher) due(ctx context.Context) ([]due, error) {
	db := d.db.WithContext(ctx)
	var rows []deliveryRow
	if err := db.Where("status = ? AND next_attempt_at <= ?", Pending, d.clock.Now(ctx).UnixMicro()).
		Order("next_attempt_at, id").Limit(d.cfg.Batch).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("find due webhook deliveries: %w", err)
	}
	events, err := eventsOf(db, rows)
	if err != nil {
		return nil, err
	}
	eps := map[string]endpointRow{}
	for _, r := range rows {
		if _, ok := eps[r.EndpointID]; !ok {
			var ep endpointRow
			if err := db.Where("id = ?", r.EndpointID).Take(&ep).Error; err != nil {
				return nil, fmt.Errorf("read webhook endpoint: %w", err)
			}
			eps[r.EndpointID] = ep
		}
	}
	out := make([]due, len(rows))
	for i, r := range rows {
		ev, ep := events[r.EventID], eps[r.EndpointID]
		out[i] = due{deliveryRow: r, url: ep.URL, secret: ep.Secret, body: ev.Body, created: ev.CreatedAt}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].EndpointID != out[j].EndpointID {
			return out[i].EndpointID < out[j].EndpointID
		}
		if out[i].created != out[j].created {
			return out[i].created < out[j].created
		}
		return out[i].EventID < out[j].EventID
	})
	return out, nil
}

func (d *Dispatcher) attempt(ctx context.Context, r due) (bool, error) {
	now := d.clock.Now(ctx)
	lease := now.Add(d.cfg.Timeout + time.Minute).UnixMicro()
	res := d.db.WithContext(ctx).Model(&deliveryRow{}).Where("id = ? AND status = ? AND next_attempt_at = ?", r.ID, Pending, r.NextAttemptAt).
		Update("next_attempt_at", lease)
	if res.Error != nil {
		return false, fmt.Errorf("claim: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	status, sendErr := d.send(ctx, r, time.Now())
	at := d.clock.Now(ctx)
	set := map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_attempt_at": at.UnixMicro(), "last_status": nil, "last_error": ""}
	if status != 0 {
		set["last_status"] = status
	}
	ok := sendErr == nil && status >= 200 && status < 300
	switch {
	case ok:
		set["status"], set["delivered_at"] = Delivered, at.UnixMicro()
	default:
		if sendErr != nil {
			set["last_error"] = sendErr.Error()
		} else {
			set["last_error"] = fmt.Sprintf("receiver answered %d", status)
		}
		if at.UnixMicro() >= r.GiveUpAt {
			set["status"] = Failed
		} else {
			set["next_attempt_at"] = at.Add(d.jittered(r.Attempts + 1)).UnixMicro()
		}
	}
	if err := d.db.WithContext(ctx).Model(&deliveryRow{}).Where("id = ?", r.ID).Updates(set).Error; err != nil {
		return ok, fmt.Errorf("record attempt: %w", err)
	}
	return ok, nil
}

// send posts one delivery, signed at sentAt: the wall clock, never a test
// clock, since receivers check the signature's age against their own.
func (d *Dispatcher) send(ctx context.Context, r due, sentAt time.Time) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	body := []byte(r.body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tally-Webhooks/1")
	req.Header.Set(EventIDHeader, r.EventID)
	req.Header.Set(SignatureHeader, Sign(r.secret, sentAt, body))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
