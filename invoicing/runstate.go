package invoicing

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// StaleRunAfter is how long a run may go without a heartbeat before the
// tenant's next run takes it for dead and marks it RunAbandoned. A live run
// beats at least every HeartbeatEvery while it works (and after every page
// of subscriptions), so only a run whose server died, or one stuck on a
// single subscription for this long, goes stale.
const StaleRunAfter = 10 * time.Minute

// HeartbeatEvery is the most time a working run lets pass between two saves
// of its progress (and heartbeat).
const HeartbeatEvery = 30 * time.Second

// saveAttempts and saveBackoff bound how a run's progress is saved through a
// short database outage: 5 tries, 100 ms, 200 ms, 400 ms, 800 ms apart.
const (
	saveAttempts = 5
	saveBackoff  = 100 * time.Millisecond
)

// wallNow is the wall clock that heartbeats and staleness are measured by:
// whether a server is alive is a matter of real time, never of a tenant's
// test clock.
func wallNow() time.Time { return time.Now().UTC() }

// abandonStale marks RunAbandoned every run of the tenant still
// RunRunning whose heartbeat (or, for a run from before heartbeats, its
// creation) is older than StaleRunAfter. Its counts and failures stay as it
// saved them; finished_at is when it was found dead. A run that was only
// slow and saves again afterwards goes back to running.
func (s *Service) abandonStale(ctx context.Context, tenantID string) error {
	var rows []runRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND status = ?", tenantID, string(RunRunning)).Find(&rows).Error; err != nil {
		return fmt.Errorf("find running invoice runs: %w", err)
	}
	cutoff := wallNow().Add(-StaleRunAfter)
	for _, r := range rows {
		last := r.CreatedAt
		if r.HeartbeatAt != nil {
			last = *r.HeartbeatAt
		}
		if !last.Before(cutoff) {
			continue
		}
		found := wallNow()
		err := s.db.WithContext(ctx).Model(&runRow{}).Where("id = ? AND status = ?", r.ID, string(RunRunning)).
			Updates(map[string]any{"status": string(RunAbandoned), "finished_at": found}).Error
		if err != nil {
			return fmt.Errorf("mark invoice run %s abandoned: %w", r.ID, err)
		}
		s.metrics.RunAbandoned()
		s.log.Warn("invoice run abandoned: no heartbeat", slog.String("run", r.ID), slog.Time("last_heartbeat", last))
	}
	return nil
}

// beat saves the run's progress if HeartbeatEvery has passed since the last
// save, so that a long page still shows the run alive.
func (s *Service) beat(ctx context.Context, run *Run) {
	if run.HeartbeatAt == nil || wallNow().Sub(*run.HeartbeatAt) >= HeartbeatEvery {
		s.saveRun(ctx, run)
	}
}

// saveRun writes the run's status, counts, failures and a fresh heartbeat,
// retrying through a short database outage. If every attempt fails, the
// failure is added to the run's failures (so that the next save that works
// records it) and logged; a run that can never save again is found stale and
// abandoned by the tenant's next run. It reports whether the save worked.
func (s *Service) saveRun(ctx context.Context, run *Run) bool {
	ctx = context.WithoutCancel(ctx)
	beat := wallNow()
	var err error
	wait := saveBackoff
	for attempt := 1; attempt <= saveAttempts; attempt++ {
		failed, _ := json.Marshal(run.Failed)
		err = s.db.WithContext(ctx).Model(&runRow{}).Where("id = ?", run.ID).Updates(map[string]any{
			"status": string(run.Status), "subscriptions": run.Subscriptions, "processed": run.Processed,
			"invoices_created": run.InvoicesCreated, "invoices_existing": run.InvoicesExisting, "failed": string(failed),
			"heartbeat_at": beat, "finished_at": run.FinishedAt}).Error
		if err == nil {
			run.HeartbeatAt = &beat
			return true
		}
		if attempt < saveAttempts {
			time.Sleep(wait)
			wait *= 2
		}
	}
	run.Failed = append(run.Failed, RunFailure{Error: "could not save the run's progress: " + err.Error()})
	s.log.Error("save invoice run", slog.String("run", run.ID), slog.Any("error", err))
	return false
}
