package invoicing_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/domain"
)

// TestARunsPagesBillWhatDraftingOneAtATimeBills: a run drafts a page of
// subscriptions at once (quantities read together, one transaction of
// multi-row inserts). Random histories of many customers (several zones,
// trials, anniversary cycles, cancels and plan changes, credit grants,
// usage) are played twice with the same schedule of runs and
// finalizations: once with runs cut into pages of 7 subscriptions, once
// drafting one subscription at a time, each invoice in its own
// transaction (the path runs took before pages). Both must end with the
// same invoices, lines, totals, credits applied and invoice numbers
// (finalized in the same order, so numbered without gaps alike).
//
// TALLY_PROPERTY_SEEDS sets how many histories are tried (default 2).
func TestARunsPagesBillWhatDraftingOneAtATimeBills(t *testing.T) {
	seeds := 2
	if v, err := strconv.Atoi(os.Getenv("TALLY_PROPERTY_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	apptest.Each(t, propStart, func(t *testing.T, s *apptest.Server) {
		s.App.Services.Invoicing.SetRunPageSize(7)
		each := func(t *testing.T, key string, at time.Time) {
			t.Helper()
			ctx := domain.WithNow(context.Background(), at)
			if _, err := s.App.Services.Invoicing.DraftEachForTest(ctx, tenantOf(t, s, key), at); err != nil {
				t.Fatalf("drafting one at a time as of %s: %v", at, err)
			}
		}
		for seed := 1; seed <= seeds; seed++ {
			r := rand.New(rand.NewPCG(uint64(seed), 13))
			h := randomHistoryOf(r, 30)
			plan := randomSchedule(r, 1)
			paged := h.playWith(t, s, fmt.Sprintf("pages %d", seed), plan, playOpts{numbers: true})
			alone := h.playWith(t, s, fmt.Sprintf("one at a time %d", seed), plan, playOpts{numbers: true, run: each})
			if len(paged) < 30 {
				t.Fatalf("seed %d: only %d invoices", seed, len(paged))
			}
			if diff := diffResults(alone, paged); diff != "" {
				t.Fatalf("seed %d (schedule %v): pages billed differently from one at a time:\n%s", seed, plan, diff)
			}
		}
	})
}
