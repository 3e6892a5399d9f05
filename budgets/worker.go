package budgets

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// WorkerPause is how long (wall time) the worker rests after a pass
// before it takes the customers marked meanwhile. A touch after a quiet
// moment is evaluated at once; under steady ingestion each customer is
// evaluated at most about once per WorkerPause however many batches name
// it, so a crossing is reported within about WorkerPause of the batch that
// made it. Without the pause the worker evaluated back to back — a credit
// balance, i.e. a proposed invoice, for every batch of a customer with
// grants — taking a database connection and CPU from ingestion itself.
const WorkerPause = time.Second

// Worker evaluates budgets after ingestion, off the request path. Touch
// never blocks: it marks customers as due and wakes the goroutine, which
// evaluates each marked customer once however many batches named it
// meanwhile (and rests WorkerPause between passes). What is marked but not
// evaluated when the process stops is caught by EvaluateAll on the
// scheduler.
type Worker struct {
	svc  Evaluator
	log  *slog.Logger
	mu   sync.Mutex
	due  map[[2]string]bool // (tenant id, customer external id)
	wake chan struct{}
	done chan struct{}
	stop context.CancelFunc
	// pause is WorkerPause (tests shorten it).
	pause time.Duration
}

// Evaluator is what the worker runs for each marked customer (*Service).
type Evaluator interface {
	EvaluateExternal(ctx context.Context, tenantID, externalID string) error
}

// NewWorker starts a Worker; Close stops it.
func NewWorker(svc Evaluator, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{svc: svc, log: log, due: map[[2]string]bool{}, wake: make(chan struct{}, 1), done: make(chan struct{}), stop: cancel, pause: WorkerPause}
	go w.loop(ctx)
	return w
}

// Touch marks the customers (by external id, as events name them) of a
// tenant for evaluation.
func (w *Worker) Touch(tenantID string, customers []string) {
	w.mu.Lock()
	for _, c := range customers {
		w.due[[2]string{tenantID, c}] = true
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Close stops the worker and waits for the evaluation in progress.
func (w *Worker) Close() {
	w.stop()
	<-w.done
}

func (w *Worker) loop(ctx context.Context) {
	defer close(w.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		w.mu.Lock()
		batch := w.due
		w.due = map[[2]string]bool{}
		w.mu.Unlock()
		for k := range batch {
			if err := w.svc.EvaluateExternal(ctx, k[0], k[1]); err != nil {
				w.log.Error("evaluate budgets", slog.String("tenant", k[0]), slog.String("customer", k[1]), slog.Any("error", err))
			}
		}
		rest := time.NewTimer(w.pause)
		select {
		case <-ctx.Done():
			rest.Stop()
			return
		case <-rest.C:
		}
	}
}

// EvaluateExternal evaluates the budgets of the customer with that
// external id (nothing if it has none) and, when credit balances are watched, its credit
// alerts if it has credit grants.
func (s *Service) EvaluateExternal(ctx context.Context, tenantID, externalID string) error {
	var ids []string
	if err := s.db.WithContext(ctx).Table("budgets b").Joins("JOIN customers c ON c.id = b.customer_id").
		Where("c.tenant_id = ? AND c.external_id = ?", tenantID, externalID).Distinct("b.customer_id").Pluck("b.customer_id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.Evaluate(ctx, tenantID, id); err != nil {
			return err
		}
	}
	if s.credits == nil {
		return nil
	}
	ids = nil
	if err := s.db.WithContext(ctx).Table("credit_grants g").Joins("JOIN customers c ON c.id = g.customer_id").
		Where("c.tenant_id = ? AND c.external_id = ?", tenantID, externalID).Distinct("g.customer_id").Pluck("g.customer_id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.EvaluateCredits(ctx, tenantID, id); err != nil {
			return err
		}
	}
	return nil
}
