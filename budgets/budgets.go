package budgets

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// BillingPeriod is the only period a budget has: the customer's open
// billing period.
const BillingPeriod = "billing_period"

// Budget is a limit on a customer's spend (Meter "": the proposed invoice
// total, in its currency) or on one meter's quantity, per billing period,
// with the percentages of it to report.
type Budget struct {
	ID         string
	TenantID   string
	CustomerID string
	Meter      string
	Limit      decimal.Decimal
	Period     string
	Thresholds []int
	CreatedAt  time.Time
}

// Input creates a budget: Amount (a spend budget) or Meter with Quantity
// (a usage budget); Thresholds are percentages 1…1000, default 50, 80, 100.
type Input struct {
	Meter      string
	Amount     *decimal.Decimal
	Quantity   *decimal.Decimal
	Period     string
	Thresholds []int
}

// Reading is what a customer has used in its open billing period.
type Reading struct {
	Period domain.Period
	Spend  decimal.Decimal            // proposed invoice total(s)
	Usage  map[string]decimal.Decimal // quantity by meter key
}

// Reader reads a customer's live figures; ok is false when it has no open
// period (nothing to evaluate).
type Reader interface {
	Read(ctx context.Context, tenantID, customerID string) (r Reading, ok bool, err error)
}

// Outbox records the webhook event in the crossing's transaction.
type Outbox interface {
	EmitTx(tx *gorm.DB, tenantID string, e webhooks.Event) (string, error)
}

type budgetRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	CustomerID string
	Meter      string
	LimitValue decimal.Decimal
	Period     string
	Thresholds string
	CreatedAt  int64 `gorm:"autoCreateTime:false"`
}

func (budgetRow) TableName() string { return "budgets" }

type crossingRow struct {
	BudgetID    string `gorm:"primaryKey"`
	PeriodStart int64  `gorm:"primaryKey"`
	Threshold   int    `gorm:"primaryKey"`
	EventID     string
	CreatedAt   int64 `gorm:"autoCreateTime:false"`
}

func (crossingRow) TableName() string { return "budget_crossings" }

func (r budgetRow) toBudget() Budget {
	b := Budget{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, Meter: r.Meter, Limit: r.LimitValue, Period: r.Period,
		CreatedAt: time.UnixMicro(r.CreatedAt).UTC()}
	for _, s := range strings.Split(r.Thresholds, ",") {
		n, _ := strconv.Atoi(s)
		b.Thresholds = append(b.Thresholds, n)
	}
	return b
}

// Service stores budgets and evaluates them.
type Service struct {
	db     *store.DB
	clock  domain.Clock
	reader Reader
	outbox Outbox
	// clocks, if set, gives a tenant's own "now" (its test clock).
	clocks TenantClocks
	// credits and levels watch credit balances (nil credits: not watched).
	credits CreditReader
	levels  CreditLevels
}

// TenantClocks gives a tenant's test clock (tenants.Service.TestClock): ok
// true when it has one.
type TenantClocks interface {
	TestClock(ctx context.Context, tenantID string) (now time.Time, ok bool, err error)
}

// NewService returns a Service. credits (nil: credit balances are not
// watched) and levels (nil: every customer at the default level, alerts
// keyed to no period) drive credits.low and credits.exhausted (credits.go).
// clocks (nil: the Service's clock for every tenant) makes evaluation read
// each tenant's test clock, as a request of that tenant would.
func NewService(db *store.DB, clock domain.Clock, reader Reader, outbox Outbox, credits CreditReader, levels CreditLevels, clocks TenantClocks) *Service {
	return &Service{db: db, clock: clock, reader: reader, outbox: outbox, credits: credits, levels: levels, clocks: clocks}
}

// Create stores a budget for a customer (whose existence the caller
// checked).
func (s *Service) Create(ctx context.Context, tenantID, customerID string, in Input) (Budget, error) {
	var p domain.Problems
	var limit decimal.Decimal
	switch {
	case in.Meter == "" && in.Amount != nil && in.Quantity == nil:
		limit = *in.Amount
	case in.Meter != "" && in.Quantity != nil && in.Amount == nil:
		limit = *in.Quantity
	case in.Meter != "" && in.Amount != nil:
		p.Add("amount", "a usage budget (meter) takes quantity, not amount")
	case in.Meter != "":
		p.Add("quantity", "a usage budget (meter) needs quantity")
	case in.Quantity != nil:
		p.Add("meter", "a usage budget (quantity) needs its meter")
	default:
		p.Add("amount", "give amount (a spend budget) or meter with quantity (a usage budget)")
	}
	if in.Amount != nil && in.Meter == "" && !in.Amount.IsPositive() {
		p.Add("amount", "the limit must be positive")
	}
	if in.Quantity != nil && in.Meter != "" && !in.Quantity.IsPositive() {
		p.Add("quantity", "the limit must be positive")
	}
	if in.Period == "" {
		in.Period = BillingPeriod
	}
	if in.Period != BillingPeriod {
		p.Add("period", "must be %q", BillingPeriod)
	}
	if len(in.Thresholds) == 0 {
		in.Thresholds = []int{50, 80, 100}
	}
	seen := map[int]bool{}
	for i, t := range in.Thresholds { // problems name the index as given
		field := fmt.Sprintf("thresholds[%d]", i)
		if t < 1 || t > 1000 {
			p.Add(field, "each must be a percentage from 1 to 1000, got %d", t)
		}
		if seen[t] {
			p.Add(field, "%d is given twice", t)
		}
		seen[t] = true
	}
	ts := append([]int(nil), in.Thresholds...)
	sort.Ints(ts)
	var parts []string
	for _, t := range ts {
		parts = append(parts, strconv.Itoa(t))
	}
	if err := p.Err(); err != nil {
		return Budget{}, err
	}
	r := budgetRow{ID: domain.NewID("bud"), TenantID: tenantID, CustomerID: customerID, Meter: in.Meter, LimitValue: limit, Period: in.Period,
		Thresholds: strings.Join(parts, ","), CreatedAt: s.clock.Now(ctx).UnixMicro()}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Budget{}, fmt.Errorf("create budget: %w", err)
	}
	return r.toBudget(), nil
}

// List returns a customer's budgets, oldest first.
func (s *Service) List(ctx context.Context, tenantID, customerID string) ([]Budget, error) {
	var rows []budgetRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ?", tenantID, customerID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list budgets: %w", err)
	}
	out := make([]Budget, len(rows))
	for i, r := range rows {
		out[i] = r.toBudget()
	}
	return out, nil
}

// Delete removes a budget and its crossings; it returns the budget.
func (s *Service) Delete(ctx context.Context, tenantID, customerID, id string) (Budget, error) {
	var b Budget
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var r budgetRow
		if err := tx.Where("tenant_id = ? AND customer_id = ? AND id = ?", tenantID, customerID, id).Take(&r).Error; err != nil {
			if store.IsNotFound(err) {
				return domain.NotFound("budget", id)
			}
			return err
		}
		b = r.toBudget()
		if err := tx.Where("budget_id = ?", id).Delete(&crossingRow{}).Error; err != nil {
			return err
		}
		return tx.Delete(&budgetRow{}, "id = ?", id).Error
	})
	return b, err
}

// tenantCtx is ctx at the tenant's own "now" (its test clock), if it has
// one.
func (s *Service) tenantCtx(ctx context.Context, tenantID string) (context.Context, error) {
	if s.clocks != nil {
		now, ok, err := s.clocks.TestClock(ctx, tenantID)
		if err != nil {
			return ctx, err
		}
		if ok {
			ctx = domain.WithNow(ctx, now)
		}
	}
	return ctx, nil
}

// ThresholdData is the "data" of budget.threshold_reached: value is the
// spend (or quantity) when the crossing was seen, which may already be
// past the threshold.
type ThresholdData struct {
	BudgetID    string `json:"budget_id"`
	CustomerID  string `json:"customer_id"`
	Kind        string `json:"kind"` // spend | usage
	Meter       string `json:"meter,omitempty"`
	Threshold   int    `json:"threshold"`
	Limit       string `json:"limit"`
	Value       string `json:"value"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
}

// Evaluate reads the customer's figures once and reports every threshold
// of its budgets reached in the open period and not reported yet. It
// returns how many it reported.
func (s *Service) Evaluate(ctx context.Context, tenantID, customerID string) (int, error) {
	bs, err := s.List(ctx, tenantID, customerID)
	if err != nil || len(bs) == 0 {
		return 0, err
	}
	ctx, err = s.tenantCtx(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	rd, ok, err := s.reader.Read(ctx, tenantID, customerID)
	if err != nil || !ok {
		return 0, err
	}
	n := 0
	for _, b := range bs {
		value, kind := b.Value(rd)
		pct := b.Percent(rd)
		for _, t := range b.Thresholds {
			if pct.LessThan(decimal.NewFromInt(int64(t))) {
				break
			}
			data := ThresholdData{BudgetID: b.ID, CustomerID: customerID, Kind: kind, Meter: b.Meter, Threshold: t, Limit: b.Limit.String(), Value: value.String(),
				PeriodStart: rd.Period.Start.UTC().Format(time.RFC3339Nano), PeriodEnd: rd.Period.End.UTC().Format(time.RFC3339Nano)}
			made, err := s.cross(ctx, b, rd.Period.Start, t, data)
			if err != nil {
				return n, err
			}
			if made {
				n++
			}
		}
	}
	return n, nil
}

// cross records one crossing and its event in one transaction, unless it
// is recorded already (the primary key decides).
func (s *Service) cross(ctx context.Context, b Budget, periodStart time.Time, t int, data ThresholdData) (bool, error) {
	made := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row := crossingRow{BudgetID: b.ID, PeriodStart: periodStart.UnixMicro(), Threshold: t, CreatedAt: s.clock.Now(ctx).UnixMicro()}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		id, err := s.outbox.EmitTx(tx, b.TenantID, webhooks.Event{Type: webhooks.BudgetThresholdReached, CustomerID: b.CustomerID, Data: data})
		if err != nil {
			return err
		}
		made = true
		return tx.Model(&crossingRow{}).Where("budget_id = ? AND period_start = ? AND threshold = ?", b.ID, row.PeriodStart, t).Update("event_id", id).Error
	})
	return made, err
}

// EvaluateAll evaluates every customer that has a budget (and, when
// credit balances are watched, every one with a credit grant): the scheduler's safety net.
// A failure on one customer does not stop the others.
func (s *Service) EvaluateAll(ctx context.Context) error {
	var who []struct{ TenantID, CustomerID string }
	if err := s.db.WithContext(ctx).Table("budgets").Distinct("tenant_id, customer_id").Scan(&who).Error; err != nil {
		return fmt.Errorf("find budgets: %w", err)
	}
	var firstErr error
	for _, w := range who {
		if _, err := s.Evaluate(ctx, w.TenantID, w.CustomerID); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if s.credits == nil {
		return firstErr
	}
	who = nil
	if err := s.db.WithContext(ctx).Table("credit_grants").Distinct("tenant_id, customer_id").Scan(&who).Error; err != nil {
		return fmt.Errorf("find credit grants: %w", err)
	}
	for _, w := range who {
		if _, err := s.EvaluateCredits(ctx, w.TenantID, w.CustomerID); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}
