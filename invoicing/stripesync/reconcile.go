package stripesync

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/stripe/stripe-go/v76"
	"github.com/tallyhq/tally/invoicing"
)

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
