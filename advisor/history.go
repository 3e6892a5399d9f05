package advisor

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// Subscribers reads customers and their subscriptions (customers.Service is
// one).
type Subscribers interface {
	Get(ctx context.Context, tenantID, id string) (customers.Customer, error)
	GetByExternalID(ctx context.Context, tenantID, externalID string) (customers.Customer, error)
	ListSubscriptions(ctx context.Context, tenantID string, q customers.SubscriptionQuery, page domain.Page) (domain.List[customers.Subscription], error)
	Contexts(ctx context.Context, tenantID string, subs []customers.Subscription) ([]customers.Context, error)
}

// Quantities measures a meter for one customer over a window, as an invoice
// does (meters.Service is one).
type Quantities interface {
	ByKeys(ctx context.Context, tenantID string, keys []string) (map[string]meters.Meter, error)
	Quantity(ctx context.Context, tenantID string, m meters.Meter, customer string, extra meters.Filters, w meters.Window) (decimal.Decimal, error)
}

// Invoices lists stored invoices (invoicing.Service is one).
type Invoices interface {
	List(ctx context.Context, tenantID string, q invoicing.Query, page domain.Page) (domain.List[invoicing.Invoice], error)
}

// PlanList pages through a tenant's plans (plans.Service is one).
type PlanList interface {
	List(ctx context.Context, tenantID string, page domain.Page, includeArchived bool) (domain.List[plans.Plan], error)
}

// History is what the recommendation and the backtest read: customers and
// subscriptions, meter quantities, stored invoices, the plan list and the
// clock (a tenant's test clock included).
type History struct {
	Subscribers Subscribers
	Quantities  Quantities
	Invoices    Invoices
	Plans       PlanList
	MeterList   MeterList
	Clock       domain.Clock
	// Workers is how many subscriptions of a page the backtest re-prices at
	// once (0 or 1: one at a time). Each is a few short reads; on a
	// database with a connection pool several overlap their latency.
	Workers int
}

func (s *Service) hist() (*History, error) {
	if s.history == nil {
		return nil, domain.Conflict("advisor_unavailable", "the plan advisor has no usage history configured")
	}
	return s.history, nil
}

// usageMeters are the meter keys of the usage prices of the plans, sorted,
// each once.
func usageMeters(list ...plans.Plan) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range list {
		for _, pr := range p.Prices {
			if pr.Type == plans.Usage && !seen[pr.MeterKey] {
				seen[pr.MeterKey] = true
				out = append(out, pr.MeterKey)
			}
		}
	}
	sort.Strings(out)
	return out
}

// measure is the customer's quantity of each meter over w (unfiltered: a
// usage vector is per meter).
func measure(ctx context.Context, h *History, tenantID, customerExternalID string, ms map[string]meters.Meter, keys []string, w meters.Window) (Usage, error) {
	u := Usage{}
	for _, k := range keys {
		m, ok := ms[k]
		if !ok {
			return nil, fmt.Errorf("meter %s not found", k)
		}
		q, err := h.Quantities.Quantity(ctx, tenantID, m, customerExternalID, nil, w)
		if err != nil {
			return nil, err
		}
		u[k] = q
	}
	return u, nil
}
