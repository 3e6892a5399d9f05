package invoicing

import (
	"context"
	"sync"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// DefaultRunPageSize and MaxRunPageSize bound how many subscriptions an
// invoice run reads, drafts and writes in one transaction (SetRunPageSize).
const (
	DefaultRunPageSize = 200
	MaxRunPageSize     = domain.MaxPageLimit // a page of ListSubscriptions
)

// SetRunPageSize sets how many subscriptions an invoice run reads, drafts
// and writes at once, in one transaction: memory grows with it (a page and
// the next one being drafted), never with the tenant; a crash loses at most
// the pages in flight, which the next run drafts again. A size outside
// 1…MaxRunPageSize leaves it as it was (DefaultRunPageSize at first). Set
// it before runs start.
func (s *Service) SetRunPageSize(n int) {
	if n >= 1 && n <= MaxRunPageSize {
		s.runPageSize = n
	}
}

// pageWriters is how many drafted pages a run writes at once on Postgres
// (each in its own transaction; the pages hold different subscriptions, so
// they never wait on each other's rows). SQLite has one connection and one
// writer: one.
const pageWriters = 2

// draftPages lists the run's subscriptions a page at a time (SetRunPageSize),
// reads their contexts and drafts each page (draftPage) while the pages
// before it are being written, and sends the pages in order: at most one
// waits ready, so memory stays bounded by a few pages. It stops after a
// page it could not list or read (sent with its error) or when ctx ends.
func (s *Service) draftPages(ctx context.Context, run Run) <-chan *page {
	out := make(chan *page, 1)
	go func() {
		defer close(out)
		cursor := ""
		for {
			p, next := s.nextPage(ctx, run, cursor)
			select {
			case out <- p:
			case <-ctx.Done():
				return
			}
			if p.err != nil || next == "" {
				return
			}
			cursor = next
		}
	}()
	return out
}

// nextPage lists and drafts the page after cursor, and returns the cursor
// after it ("" at the end).
func (s *Service) nextPage(ctx context.Context, run Run, cursor string) (*page, string) {
	list, err := s.customers.ListSubscriptions(ctx, run.TenantID, customers.SubscriptionQuery{}, domain.Page{Limit: s.runPageSize, Cursor: cursor})
	if err != nil {
		return &page{err: err}, ""
	}
	scs, err := s.customers.Contexts(ctx, run.TenantID, list.Data)
	if err != nil {
		return &page{err: err}, ""
	}
	return s.draftPage(ctx, scs, run.AsOf, run.ID), list.NextCursor
}

// writePages writes the drafted pages, pageWriters at once on Postgres,
// and sends each page once written (a page with an error as it came); the
// channel closes when every page is done.
func (s *Service) writePages(ctx context.Context, pages <-chan *page) <-chan *page {
	writers := 1
	if s.db.Dialect == store.Postgres {
		writers = pageWriters
	}
	out := make(chan *page)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range pages {
				if p.err == nil {
					s.writePage(ctx, p)
				}
				out <- p
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}
