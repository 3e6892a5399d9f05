package stripesync

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

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
