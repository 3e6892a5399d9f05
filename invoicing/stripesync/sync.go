package stripesync

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/store"
	"golang.org/x/time/rate"
	"gorm.io/gorm/clause"
)

// Metadata keys Tally writes on Stripe objects.
const (
	mdTenant     = "tally_tenant_id"
	mdCustomer   = "tally_customer_id"
	mdExternal   = "external_id"
	mdInvoice    = "tally_invoice_id"
	mdPosition   = "tally_line_position"
	mdGeneration = "tally_line_generation"
)

// Syncer mirrors invoices in Stripe and applies Stripe's webhooks.
type Syncer struct {
	db      *store.DB
	clock   domain.Clock
	inv     *invoicing.Service
	cs      *customers.Service
	cfg     Config
	log     *slog.Logger
	api     *client.API
	limiter *rate.Limiter
	metrics Metrics
	// locks serialize syncs of one invoice within this process (by hash of
	// its id); across processes the idempotency keys keep Stripe right.
	locks [64]sync.Mutex
}

// New returns a Syncer; with no API key it is disabled (see Enabled).
func New(db *store.DB, clock domain.Clock, inv *invoicing.Service, cs *customers.Service, cfg Config, log *slog.Logger) *Syncer {
	if log == nil {
		log = slog.Default()
	}
	if clock == nil {
		clock = domain.SystemClock{}
	}
	cfg = cfg.withDefaults()
	s := &Syncer{db: db, clock: clock, inv: inv, cs: cs, cfg: cfg, log: log.With(slog.String("component", "stripesync")),
		limiter: newLimiter(cfg.RatePerSecond), metrics: noMetrics{}}
	if cfg.APIKey != "" {
		s.api = newAPI(cfg, s.log)
	}
	return s
}

// Metrics receives the Stripe calls' outcomes (api.Metrics exports them).
type Metrics interface {
	// StripeCall counts a call, after its retries, by operation and
	// outcome: "ok" or "error".
	StripeCall(op, outcome string)
	// StripeRetry counts one repeated attempt.
	StripeRetry(op string)
	// StripeFailure counts a call failed for good by its code: Stripe's
	// error code, http_STATUS, timeout or canceled.
	StripeFailure(code string)
}

type noMetrics struct{}

func (noMetrics) StripeCall(string, string) {}
func (noMetrics) StripeRetry(string)        {}
func (noMetrics) StripeFailure(string)      {}

// SetMetrics sends the calls' outcomes to m (nil: nowhere). Call it while
// wiring, before the Syncer is used.
func (s *Syncer) SetMetrics(m Metrics) {
	if m == nil {
		m = noMetrics{}
	}
	s.metrics = m
}

// Enabled reports whether a Stripe API key is configured.
func (s *Syncer) Enabled() bool { return s != nil && s.cfg.APIKey != "" }

// WebhooksEnabled reports whether a webhook signing secret is configured.
func (s *Syncer) WebhooksEnabled() bool { return s != nil && s.cfg.WebhookSecret != "" }

func disabled() error {
	return domain.Conflict("stripe_disabled", "Stripe is not configured (STRIPE_API_KEY is unset); invoices stay unsynced")
}

func (s *Syncer) lockFor(invoiceID string) *sync.Mutex {
	h := fnv.New32a()
	_, _ = h.Write([]byte(invoiceID))
	return &s.locks[h.Sum32()%uint32(len(s.locks))]
}

// Sync brings an invoice's Stripe copy up to date: its customer, a draft
// invoice with one item per line, and, once the invoice is finalized in
// Tally, the Stripe invoice finalized too. Zero-total invoices never sent
// before, and paid, void or uncollectible ones, are left alone. It returns
// the invoice as stored afterwards. Calling it again after a failure resumes
// without duplicating anything in Stripe.
func (s *Syncer) Sync(ctx context.Context, tenantID, invoiceID string) (invoicing.Invoice, error) {
	if !s.Enabled() {
		return invoicing.Invoice{}, disabled()
	}
	mu := s.lockFor(invoiceID)
	mu.Lock()
	defer mu.Unlock()
	// An invoice finalized while its draft was being synced is synced again
	// at once (a few times at most; SyncPending catches the rest).
	for round := 0; ; round++ {
		inv, err := s.inv.Get(ctx, tenantID, invoiceID)
		if err != nil {
			return invoicing.Invoice{}, err
		}
		if err := s.sync(ctx, inv); err != nil {
			return inv, err
		}
		after, err := s.inv.Get(ctx, tenantID, invoiceID)
		if err != nil {
			return invoicing.Invoice{}, err
		}
		if after.Status == inv.Status || round == 2 {
			return after, nil
		}
	}
}

// SyncPending syncs invoices that need it: those invoicing.Unsynced lists
// (new drafts, newly finalized invoices) and those whose last sync stopped
// half-way. It returns how many it synced; one failure does not stop the
// others, and the errors are joined. Without an API key it does nothing.
func (s *Syncer) SyncPending(ctx context.Context) (int, error) {
	if !s.Enabled() {
		return 0, nil
	}
	type ref struct{ tenantID, id string }
	var refs []ref
	seen := map[string]bool{}
	due, err := s.inv.Unsynced(ctx, 100)
	if err != nil {
		return 0, err
	}
	for _, inv := range due {
		seen[inv.ID] = true
		refs = append(refs, ref{inv.TenantID, inv.ID})
	}
	var pending []invoiceRow
	if err := s.db.WithContext(ctx).Where("pending = ?", true).Order("invoice_id").Limit(100).Find(&pending).Error; err != nil {
		return 0, fmt.Errorf("find pending stripe syncs: %w", err)
	}
	unsettled, err := s.unsettled(ctx, 100)
	if err != nil {
		return 0, err
	}
	for _, p := range append(pending, unsettled...) {
		if !seen[p.InvoiceID] {
			seen[p.InvoiceID] = true
			refs = append(refs, ref{p.TenantID, p.InvoiceID})
		}
	}
	n := 0
	var errs []error
	for _, r := range refs {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if _, err := s.Sync(ctx, r.tenantID, r.id); err != nil {
			s.log.Warn("stripe sync failed", slog.String("tenant_id", r.tenantID), slog.String("invoice_id", r.id), slog.String("error", Redact(err)))
			errs = append(errs, fmt.Errorf("invoice %s: %w", r.id, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// sync does one pass over one invoice.
func (s *Syncer) sync(ctx context.Context, inv invoicing.Invoice) error {
	rec, err := s.record(ctx, inv.ID)
	if err != nil {
		return err
	}
	sent := inv.StripeInvoiceID != nil || (rec != nil && rec.StripeInvoiceID != nil)
	switch {
	case inv.Status != invoicing.Draft && inv.Status != invoicing.Finalized:
		// Paid, void or uncollectible: Stripe's copy (if any) follows.
		return s.settle(ctx, inv, rec)
	case inv.Total.IsZero() && !sent:
		// Recorded in Tally, never sent to Stripe. (One already sent is
		// kept in step instead: its items follow the lines and it is
		// finalized like any other, and Stripe marks it paid.)
		return s.setPending(ctx, rec, false)
	}
	if rec != nil && rec.FinalizedAt != nil {
		// Stripe's copy is final: only the bookkeeping may be left.
		return s.done(ctx, inv, *rec.StripeInvoiceID)
	}
	amounts, err := s.sendable(ctx, inv, rec)
	if err != nil {
		return err
	}
	c, err := s.cs.Get(ctx, inv.TenantID, inv.CustomerID)
	if err != nil {
		return err
	}
	cus, err := s.ensureCustomer(ctx, c)
	if err != nil {
		return err
	}
	sid, existed, err := s.ensureInvoice(ctx, inv, cus, rec)
	if err != nil {
		return err
	}
	if err := s.syncItems(ctx, inv, c, cus, sid, existed, amounts); err != nil {
		return err
	}
	if inv.Status == invoicing.Finalized {
		if err := s.finalize(ctx, inv, sid); err != nil {
			return err
		}
	}
	return s.done(ctx, inv, sid)
}

// done marks a completed sync: Tally's synced time, and no longer pending.
func (s *Syncer) done(ctx context.Context, inv invoicing.Invoice, sid string) error {
	if err := s.inv.SetStripeInvoice(ctx, inv.TenantID, inv.ID, sid); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", inv.ID).
		Updates(map[string]any{"pending": false, "updated_at": s.clock.Now(ctx)}).Error
}

func (s *Syncer) setPending(ctx context.Context, rec *invoiceRow, pending bool) error {
	if rec == nil || rec.Pending == pending {
		return nil
	}
	rec.Pending = pending
	return s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", rec.InvoiceID).
		Updates(map[string]any{"pending": pending, "updated_at": s.clock.Now(ctx)}).Error
}

// record reads the invoice's stripe_invoices row, nil if none.
func (s *Syncer) record(ctx context.Context, invoiceID string) (*invoiceRow, error) {
	var r invoiceRow
	if err := s.db.WithContext(ctx).Where("invoice_id = ?", invoiceID).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read stripe invoice record: %w", err)
	}
	return &r, nil
}

// ensureCustomer returns the Stripe customer of a Tally customer: the one
// recorded, else one already in Stripe carrying its ids (linked), else a new
// one.
func (s *Syncer) ensureCustomer(ctx context.Context, c customers.Customer) (string, error) {
	var row customerRow
	err := s.db.WithContext(ctx).Where("customer_id = ?", c.ID).Take(&row).Error
	switch {
	case err == nil && row.StripeCustomerID != "":
		return row.StripeCustomerID, nil
	case err != nil && !store.IsNotFound(err):
		return "", fmt.Errorf("read stripe customer: %w", err)
	case err != nil:
		// The intent, before Stripe is asked.
		row = customerRow{CustomerID: c.ID, TenantID: c.TenantID, CreatedAt: s.clock.Now(ctx)}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return "", fmt.Errorf("record stripe customer: %w", err)
		}
	}
	id, err := s.findCustomer(ctx, c)
	if err != nil {
		return "", err
	}
	if id == "" {
		p := &stripe.CustomerParams{
			Description: stripe.String("Tally customer " + c.ExternalID),
			Metadata:    map[string]string{mdTenant: c.TenantID, mdCustomer: c.ID, mdExternal: c.ExternalID},
		}
		if c.Name != "" {
			p.Name = stripe.String(c.Name)
		}
		if c.Email != "" {
			p.Email = stripe.String(c.Email)
		}
		key := "tally-cus-" + c.ID
		var made *stripe.Customer
		err := s.call(ctx, "create customer", key, func(actx context.Context) (err error) {
			use(actx, &p.Params, key)
			made, err = s.api.Customers.New(p)
			return err
		})
		if err != nil {
			return "", err
		}
		id = made.ID
	}
	if err := s.db.WithContext(ctx).Model(&customerRow{}).Where("customer_id = ?", c.ID).
		Update("stripe_customer_id", id).Error; err != nil {
		return "", fmt.Errorf("record stripe customer: %w", err)
	}
	return id, nil
}

// findCustomer looks, by email, for a Stripe customer whose metadata names
// this Tally customer (one made before a database restore, or by a sync
// whose answer was lost). Customers without an email are found by the
// idempotency key alone.
func (s *Syncer) findCustomer(ctx context.Context, c customers.Customer) (string, error) {
	if c.Email == "" {
		return "", nil
	}
	var found string
	err := s.call(ctx, "list customers by email", "", func(actx context.Context) error {
		p := &stripe.CustomerListParams{Email: stripe.String(c.Email)}
		p.Context = actx
		p.Limit = stripe.Int64(100)
		it := s.api.Customers.List(p)
		for it.Next() {
			sc := it.Customer()
			if sc.Metadata[mdCustomer] == c.ID && sc.Metadata[mdTenant] == c.TenantID && !sc.Deleted {
				found = sc.ID
				return nil
			}
		}
		return it.Err()
	})
	return found, err
}

// LinkCustomer records that a Tally customer is an existing Stripe customer,
// so that its invoices go there instead of to a new one.
func (s *Syncer) LinkCustomer(ctx context.Context, tenantID, customerID, stripeCustomerID string) error {
	if strings.TrimSpace(stripeCustomerID) == "" {
		return domain.Invalid("stripe_customer_id", "is required")
	}
	if _, err := s.cs.Get(ctx, tenantID, customerID); err != nil {
		return err
	}
	row := customerRow{CustomerID: customerID, TenantID: tenantID, StripeCustomerID: stripeCustomerID, CreatedAt: s.clock.Now(ctx)}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"stripe_customer_id"})}).Create(&row).Error
}

// ensureInvoice returns the Stripe invoice of an invoice, creating the
// draft if there is none, and whether it existed before this call (then its
// items may need reconciling).
func (s *Syncer) ensureInvoice(ctx context.Context, inv invoicing.Invoice, cus string, rec *invoiceRow) (string, bool, error) {
	now := s.clock.Now(ctx)
	switch {
	case rec != nil && rec.StripeInvoiceID != nil:
		if err := s.setPending(ctx, rec, true); err != nil {
			return "", false, err
		}
		if inv.StripeInvoiceID == nil || *inv.StripeInvoiceID != *rec.StripeInvoiceID {
			if err := s.inv.SetStripeInvoice(ctx, inv.TenantID, inv.ID, *rec.StripeInvoiceID); err != nil {
				return "", false, err
			}
		}
		return *rec.StripeInvoiceID, true, nil
	case inv.StripeInvoiceID != nil:
		// Tally knows the Stripe invoice but this package has no record
		// (linked by hand): adopt it.
		row := invoiceRow{InvoiceID: inv.ID, TenantID: inv.TenantID, StripeInvoiceID: inv.StripeInvoiceID, Pending: true, CreatedAt: now, UpdatedAt: now}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "invoice_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"stripe_invoice_id", "pending", "updated_at"})}).Create(&row).Error; err != nil {
			return "", false, fmt.Errorf("record stripe invoice: %w", err)
		}
		return *inv.StripeInvoiceID, true, nil
	}
	// No Stripe invoice known. An intent row from an earlier pass means a
	// create may have happened whose answer was lost: look for it first.
	resuming := rec != nil
	if rec == nil {
		row := invoiceRow{InvoiceID: inv.ID, TenantID: inv.TenantID, Pending: true, CreatedAt: now, UpdatedAt: now}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return "", false, fmt.Errorf("record stripe invoice: %w", err)
		}
	} else if err := s.setPending(ctx, rec, true); err != nil {
		return "", false, err
	}
	var sid string
	var err error
	if resuming {
		if sid, err = s.findInvoice(ctx, inv, cus); err != nil {
			return "", false, err
		}
	}
	existed := sid != ""
	if sid == "" {
		sid, err = s.createInvoice(ctx, inv, cus)
		if err != nil && isIdempotencyError(err) {
			// The key was used with other parameters (the settings changed
			// since a create whose answer was lost): that invoice exists.
			if found, ferr := s.findInvoice(ctx, inv, cus); ferr == nil && found != "" {
				sid, err, existed = found, nil, true
			}
		}
		if err != nil {
			return "", false, err
		}
	}
	if err := s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", inv.ID).
		Updates(map[string]any{"stripe_invoice_id": sid, "updated_at": s.clock.Now(ctx)}).Error; err != nil {
		return "", false, fmt.Errorf("record stripe invoice: %w", err)
	}
	if err := s.inv.SetStripeInvoice(ctx, inv.TenantID, inv.ID, sid); err != nil {
		return "", false, err
	}
	return sid, existed, nil
}

func (s *Syncer) createInvoice(ctx context.Context, inv invoicing.Invoice, cus string) (string, error) {
	p := &stripe.InvoiceParams{
		Customer:                    stripe.String(cus),
		Currency:                    stripe.String(strings.ToLower(string(inv.Currency))),
		CollectionMethod:            stripe.String(s.cfg.CollectionMethod),
		PendingInvoiceItemsBehavior: stripe.String("exclude"),
		// Stripe would finalize a draft on its own after an hour; Tally
		// decides when (finalize turns it back on, for collection).
		AutoAdvance: stripe.Bool(false),
		Description: stripe.String(invoiceDescription(inv)),
		Metadata: map[string]string{mdInvoice: inv.ID, mdTenant: inv.TenantID, mdCustomer: inv.CustomerID,
			"tally_subscription_id": inv.SubscriptionID, "tally_billing_reason": string(inv.BillingReason)},
	}
	if s.cfg.CollectionMethod == SendInvoice {
		p.DaysUntilDue = stripe.Int64(s.cfg.DaysUntilDue)
	}
	key := "tally-inv-" + inv.ID
	var made *stripe.Invoice
	err := s.call(ctx, "create invoice", key, func(actx context.Context) (err error) {
		use(actx, &p.Params, key)
		made, err = s.api.Invoices.New(p)
		return err
	})
	if err != nil {
		return "", err
	}
	return made.ID, nil
}

// findInvoice looks among the customer's Stripe invoices for the one whose
// metadata names this invoice.
func (s *Syncer) findInvoice(ctx context.Context, inv invoicing.Invoice, cus string) (string, error) {
	var found string
	err := s.call(ctx, "list invoices", "", func(actx context.Context) error {
		found = ""
		p := &stripe.InvoiceListParams{Customer: stripe.String(cus)}
		p.Context = actx
		p.Limit = stripe.Int64(100)
		it := s.api.Invoices.List(p)
		for it.Next() {
			if si := it.Invoice(); si.Metadata[mdInvoice] == inv.ID {
				found = si.ID
				return nil
			}
		}
		return it.Err()
	})
	return found, err
}

// finalize finalizes the Stripe copy and turns Stripe's automatic
// collection on (charge or email, per the collection method).
func (s *Syncer) finalize(ctx context.Context, inv invoicing.Invoice, sid string) error {
	key := "tally-fin-" + inv.ID
	p := &stripe.InvoiceFinalizeInvoiceParams{AutoAdvance: stripe.Bool(true)}
	err := s.call(ctx, "finalize invoice", key, func(actx context.Context) error {
		use(actx, &p.Params, key)
		_, err := s.api.Invoices.FinalizeInvoice(sid, p)
		return err
	})
	if err != nil {
		// Already final (finalized by a pass whose answer was lost longer
		// ago than Stripe keeps keys, or by hand) is as good.
		var se *StripeError
		if !errors.As(err, &se) || se.Status != 400 {
			return err
		}
		var cur *stripe.Invoice
		gerr := s.call(ctx, "read invoice", "", func(actx context.Context) (err error) {
			gp := &stripe.InvoiceParams{}
			use(actx, &gp.Params, "")
			cur, err = s.api.Invoices.Get(sid, gp)
			return err
		})
		if gerr != nil || cur.Status == stripe.InvoiceStatusDraft {
			return err
		}
	}
	now := s.clock.Now(ctx)
	return s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", inv.ID).
		Updates(map[string]any{"finalized_at": now, "updated_at": now}).Error
}

// syncItems makes the Stripe invoice hold exactly one item per line, in
// line order, with the line's amount and description.
func (s *Syncer) syncItems(ctx context.Context, inv invoicing.Invoice, c customers.Customer, cus, sid string, existed bool, amounts []int64) error {
	rows, err := s.items(ctx, inv.ID)
	if err != nil {
		return err
	}
	if existed {
		if err := s.reconcile(ctx, inv, sid, rows); err != nil {
			return err
		}
	}
	err = s.applyLines(ctx, inv, c, cus, sid, rows, amounts)
	if err != nil && isIdempotencyError(err) {
		// A create's key was used before with other parameters: the item
		// exists in Stripe unrecorded. Find it, then try again.
		if rerr := s.reconcile(ctx, inv, sid, rows); rerr != nil {
			return rerr
		}
		err = s.applyLines(ctx, inv, c, cus, sid, rows, amounts)
	}
	return err
}

// applyLines sends each line with its amount in minor units, amounts[i], as
// checked by sendable.
func (s *Syncer) applyLines(ctx context.Context, inv invoicing.Invoice, c customers.Customer, cus, sid string, rows map[int]*itemRow, amounts []int64) error {
	loc := c.Location()
	for i, l := range inv.Lines {
		want := itemRow{InvoiceID: inv.ID, Position: i, AmountMinor: amounts[i], Description: lineDescription(l, loc)}
		r := rows[i]
		switch {
		case r == nil || r.StripeItemID == "":
			if r == nil {
				r = &itemRow{InvoiceID: inv.ID, Position: i}
				rows[i] = r
			}
			if err := s.createItem(ctx, inv, cus, sid, l, r, want); err != nil {
				return err
			}
		case r.Dirty || r.AmountMinor != want.AmountMinor || r.Description != want.Description:
			if err := s.updateItem(ctx, inv, cus, sid, l, r, want); err != nil {
				return err
			}
		}
	}
	for _, pos := range sortedPositions(rows) {
		if r := rows[pos]; pos >= len(inv.Lines) && r.StripeItemID != "" {
			if err := s.deleteItem(ctx, r.StripeItemID); err != nil {
				return err
			}
			r.StripeItemID, r.Generation, r.Dirty = "", r.Generation+1, false
			if err := s.saveItem(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

func itemKey(invoiceID string, pos, gen int) string {
	if gen == 0 {
		return fmt.Sprintf("tally-ii-%s-%d", invoiceID, pos)
	}
	return fmt.Sprintf("tally-ii-%s-%d-g%d", invoiceID, pos, gen)
}

func (s *Syncer) itemParams(inv invoicing.Invoice, l invoicing.Line, r *itemRow, want itemRow) *stripe.InvoiceItemParams {
	p := &stripe.InvoiceItemParams{
		Amount:      stripe.Int64(want.AmountMinor),
		Description: stripe.String(want.Description),
		Metadata: map[string]string{mdInvoice: inv.ID, mdPosition: strconv.Itoa(r.Position), mdGeneration: strconv.Itoa(r.Generation),
			"tally_price_key": l.PriceKey},
	}
	if !l.Period.Start.IsZero() && !l.Period.End.Before(l.Period.Start) {
		p.Period = &stripe.InvoiceItemPeriodParams{Start: stripe.Int64(l.Period.Start.Unix()), End: stripe.Int64(l.Period.End.Unix())}
	}
	return p
}

func (s *Syncer) createItem(ctx context.Context, inv invoicing.Invoice, cus, sid string, l invoicing.Line, r *itemRow, want itemRow) error {
	// The intent first: a crash after Stripe made the item leaves a row
	// whose generation names the key (and metadata) to find it by.
	r.AmountMinor, r.Description, r.Dirty = want.AmountMinor, want.Description, false
	if err := s.saveItem(ctx, r); err != nil {
		return err
	}
	p := s.itemParams(inv, l, r, want)
	p.Customer = stripe.String(cus)
	p.Invoice = stripe.String(sid)
	p.Currency = stripe.String(strings.ToLower(string(inv.Currency)))
	key := itemKey(inv.ID, r.Position, r.Generation)
	var made *stripe.InvoiceItem
	err := s.call(ctx, "create invoice item", key, func(actx context.Context) (err error) {
		use(actx, &p.Params, key)
		made, err = s.api.InvoiceItems.New(p)
		return err
	})
	if err != nil {
		return err
	}
	r.StripeItemID = made.ID
	return s.saveItem(ctx, r)
}

func (s *Syncer) updateItem(ctx context.Context, inv invoicing.Invoice, cus, sid string, l invoicing.Line, r *itemRow, want itemRow) error {
	// Dirty until Stripe answers: if it never does, the next pass reads
	// the item back instead of trusting this row.
	r.Revision++
	r.Dirty = true
	if err := s.saveItem(ctx, r); err != nil {
		return err
	}
	p := s.itemParams(inv, l, r, want)
	key := fmt.Sprintf("tally-iiu-%s-%d-g%d-r%d", inv.ID, r.Position, r.Generation, r.Revision)
	err := s.call(ctx, "update invoice item", key, func(actx context.Context) error {
		use(actx, &p.Params, key)
		_, err := s.api.InvoiceItems.Update(r.StripeItemID, p)
		return err
	})
	if err != nil && stripeCode(err) == stripe.ErrorCodeResourceMissing {
		// Deleted in Stripe meanwhile: make a new one.
		r.StripeItemID, r.Generation = "", r.Generation+1
		return s.createItem(ctx, inv, cus, sid, l, r, want)
	}
	if err != nil {
		return err
	}
	r.AmountMinor, r.Description, r.Dirty = want.AmountMinor, want.Description, false
	return s.saveItem(ctx, r)
}

func (s *Syncer) deleteItem(ctx context.Context, itemID string) error {
	key := "tally-iid-" + itemID
	err := s.call(ctx, "delete invoice item", key, func(actx context.Context) error {
		p := &stripe.InvoiceItemParams{}
		use(actx, &p.Params, key)
		_, err := s.api.InvoiceItems.Del(itemID, p)
		return err
	})
	if err != nil && stripeCode(err) == stripe.ErrorCodeResourceMissing {
		return nil
	}
	return err
}

// reconcile reads the Stripe invoice's items and brings the rows in line
// with them: items Tally made but never recorded are adopted, duplicates and
// items of older generations deleted, recorded items gone from Stripe
// forgotten, and rows of uncertain updates refreshed. Items without Tally's
// metadata (added by hand) are left alone.
func (s *Syncer) reconcile(ctx context.Context, inv invoicing.Invoice, sid string, rows map[int]*itemRow) error {
	var items []*stripe.InvoiceItem
	err := s.call(ctx, "list invoice items", "", func(actx context.Context) error {
		items = items[:0]
		p := &stripe.InvoiceItemListParams{Invoice: stripe.String(sid)}
		p.Context = actx
		p.Limit = stripe.Int64(100)
		it := s.api.InvoiceItems.List(p)
		for it.Next() {
			items = append(items, it.InvoiceItem())
		}
		return it.Err()
	})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, it := range items {
		if it.Metadata[mdInvoice] != inv.ID {
			if it.Metadata[mdInvoice] == "" {
				s.log.Warn("stripe invoice has an item Tally did not make", slog.String("invoice_id", inv.ID), slog.String("stripe_item_id", it.ID))
			}
			continue
		}
		pos, perr := strconv.Atoi(it.Metadata[mdPosition])
		gen, _ := strconv.Atoi(it.Metadata[mdGeneration])
		if perr != nil {
			continue
		}
		r := rows[pos]
		switch {
		case r != nil && r.StripeItemID == it.ID:
			seen[it.ID] = true
			if r.Dirty || r.AmountMinor != it.Amount || r.Description != it.Description {
				r.AmountMinor, r.Description, r.Dirty = it.Amount, it.Description, false
				if err := s.saveItem(ctx, r); err != nil {
					return err
				}
			}
		case (r == nil && gen == 0) || (r != nil && r.StripeItemID == "" && gen == r.Generation):
			if r == nil {
				r = &itemRow{InvoiceID: inv.ID, Position: pos}
				rows[pos] = r
			}
			s.log.Info("adopted a stripe invoice item made by an interrupted sync", slog.String("invoice_id", inv.ID),
				slog.Int("position", pos), slog.String("stripe_item_id", it.ID))
			r.StripeItemID, r.AmountMinor, r.Description, r.Dirty = it.ID, it.Amount, it.Description, false
			seen[it.ID] = true
			if err := s.saveItem(ctx, r); err != nil {
				return err
			}
		default:
			s.log.Warn("deleting a duplicate or stale stripe invoice item", slog.String("invoice_id", inv.ID),
				slog.Int("position", pos), slog.String("stripe_item_id", it.ID))
			if err := s.deleteItem(ctx, it.ID); err != nil {
				return err
			}
		}
	}
	for _, pos := range sortedPositions(rows) {
		r := rows[pos]
		if r.StripeItemID == "" || seen[r.StripeItemID] {
			continue
		}
		// Not listed: make sure it is gone (deleted by hand) before
		// making another.
		gone, err := s.itemGone(ctx, r.StripeItemID)
		if err != nil {
			return err
		}
		if gone {
			r.StripeItemID, r.Generation, r.Dirty = "", r.Generation+1, false
			if err := s.saveItem(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// itemGone reports whether an invoice item no longer exists in Stripe.
func (s *Syncer) itemGone(ctx context.Context, itemID string) (bool, error) {
	var it *stripe.InvoiceItem
	err := s.call(ctx, "read invoice item", "", func(actx context.Context) (err error) {
		p := &stripe.InvoiceItemParams{}
		use(actx, &p.Params, "")
		it, err = s.api.InvoiceItems.Get(itemID, p)
		return err
	})
	if err != nil {
		if stripeCode(err) == stripe.ErrorCodeResourceMissing {
			return true, nil
		}
		return false, err
	}
	return it.Deleted, nil
}

func (s *Syncer) items(ctx context.Context, invoiceID string) (map[int]*itemRow, error) {
	var list []itemRow
	if err := s.db.WithContext(ctx).Where("invoice_id = ?", invoiceID).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("read stripe invoice items: %w", err)
	}
	out := make(map[int]*itemRow, len(list))
	for i := range list {
		out[list[i].Position] = &list[i]
	}
	return out, nil
}

func (s *Syncer) saveItem(ctx context.Context, r *itemRow) error {
	r.UpdatedAt = s.clock.Now(ctx)
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "invoice_id"}, {Name: "position"}},
		DoUpdates: clause.AssignmentColumns([]string{"stripe_item_id", "amount_minor", "description", "generation", "revision", "dirty", "updated_at"}),
	}).Create(r).Error
	if err != nil {
		return fmt.Errorf("record stripe invoice item: %w", err)
	}
	return nil
}

func sortedPositions(rows map[int]*itemRow) []int {
	out := make([]int, 0, len(rows))
	for p := range rows {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

// lineDescription is the line's own description (which explains its
// amount) and its period, in the customer's time zone, last day included.
func lineDescription(l invoicing.Line, loc *time.Location) string {
	d := strings.TrimSpace(l.Description)
	if d == "" {
		d = l.PriceKey
	}
	if l.Period.Start.IsZero() || !l.Period.End.After(l.Period.Start) {
		return d
	}
	return d + " (" + periodText(l.Period, loc) + ")"
}

func periodText(p domain.Period, loc *time.Location) string {
	start := p.Start.In(loc)
	last := p.End.Add(-time.Nanosecond).In(loc)
	if start.Format("2006-01-02") == last.Format("2006-01-02") {
		return start.Format("2 Jan 2006")
	}
	return start.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
}

func invoiceDescription(inv invoicing.Invoice) string {
	return fmt.Sprintf("Tally invoice %s (%s, %s)", inv.ID, strings.ReplaceAll(string(inv.BillingReason), "_", " "),
		periodText(inv.Period, time.UTC))
}
