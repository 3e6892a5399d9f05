package invoicing

import (
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// On Postgres a page's invoices and lines go in as one INSERT … SELECT
// FROM unnest(arrays) each: one array a column, so a statement has 20 or 18
// parameters whatever the rows, and the driver encodes plain slices instead
// of thousands of single values. The statements hold no "?", so gorm
// hands the slices to the driver as they are (it would expand a slice
// bound to "?" into a list). Decimals travel as text and are cast to
// numeric by the database (exact: no float on the way).

const invoicesFromArrays = `INSERT INTO invoices (` + invoiceColumns + `)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
		$9::bigint[], $10::bigint[], $11::text[]::numeric[], $12::text[]::numeric[], $13::text[]::numeric[], $14::text[],
		$15::text[], $16::text[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::text[])
	ON CONFLICT (tenant_id, subscription_id, billing_reason, period_start) WHERE status <> 'void' DO NOTHING RETURNING id`

const linesFromArrays = `INSERT INTO invoice_lines (` + lineColumns + `)
	SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]::numeric[],
		$8::text[]::numeric[], $9::bigint[], $10::bigint[], $11::int[], $12::int[], $13::text[], $14::text[],
		$15::text[]::numeric[], $16::text[]::numeric[], $17::text[]::numeric[], $18::text[]::numeric[])`

// insertInvoicesPG stores the invoices' rows from arrays, skipping those
// whose slot is taken, and adds the ids it stored to made.
func insertInvoicesPG(tx *gorm.DB, invs []Invoice, made map[string]bool) error {
	n := len(invs)
	var (
		ids, tenants, statuses, reasons, custs, currencies, notes = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		numbers, subs, runs, stripe, replaces                     = make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
		starts, ends                                              = make([]int64, n), make([]int64, n)
		subtotals, credited, totals                               = make([]string, n), make([]string, n), make([]string, n)
		created, updated                                          = make([]time.Time, n), make([]time.Time, n)
		finalized                                                 = make([]*time.Time, n)
	)
	for i, inv := range invs {
		r, _ := toRows(inv)
		ids[i], tenants[i], statuses[i], reasons[i], custs[i], currencies[i], notes[i] = r.ID, r.TenantID, r.Status, r.BillingReason, r.CustomerID, r.Currency, r.Note
		numbers[i], subs[i], runs[i], stripe[i], replaces[i] = r.Number, r.SubscriptionID, r.RunID, r.StripeInvoiceID, r.Replaces
		starts[i], ends[i] = r.PeriodStart, r.PeriodEnd
		subtotals[i], credited[i], totals[i] = r.Subtotal.String(), r.CreditsApplied.String(), r.Total.String()
		created[i], updated[i], finalized[i] = r.CreatedAt, r.UpdatedAt, r.FinalizedAt
	}
	rows, err := tx.Raw(invoicesFromArrays, ids, tenants, numbers, statuses, reasons, custs, subs, currencies,
		starts, ends, subtotals, credited, totals, notes, runs, stripe, created, updated, finalized, replaces).Rows()
	return readIDs(rows, err, made)
}

// insertLinesPG stores the invoices' lines from arrays.
func insertLinesPG(tx *gorm.DB, invs []Invoice) error {
	var (
		invoiceIDs, keys, types, meterKeys, descriptions, tiers, units []string
		positions                                                      []int32
		quantities, amounts, credited, creditUnits                     []string
		starts, ends                                                   []int64
		days, ofDays                                                   []*int32
		unitAmounts, rates                                             []*string
	)
	for _, inv := range invs {
		_, lines := toRows(inv)
		for _, l := range lines {
			invoiceIDs, keys, types, meterKeys = append(invoiceIDs, l.InvoiceID), append(keys, l.PriceKey), append(types, l.Type), append(meterKeys, l.Meter)
			descriptions, tiers, units = append(descriptions, l.Description), append(tiers, l.Tiers), append(units, l.PriceUnit)
			positions = append(positions, int32(l.Position))
			quantities, amounts = append(quantities, l.Quantity.String()), append(amounts, l.Amount.String())
			credited, creditUnits = append(credited, l.CreditsApplied.String()), append(creditUnits, l.CreditUnits.String())
			starts, ends = append(starts, l.PeriodStart), append(ends, l.PeriodEnd)
			days, ofDays = append(days, int32Ptr(l.ProrationDays)), append(ofDays, int32Ptr(l.ProrationOfDays))
			unitAmounts, rates = append(unitAmounts, nullDecText(l.UnitAmount)), append(rates, nullDecText(l.ConversionRate))
		}
	}
	if len(invoiceIDs) == 0 {
		return nil
	}
	return tx.Exec(linesFromArrays, invoiceIDs, positions, keys, types, meterKeys, descriptions,
		quantities, amounts, starts, ends, days, ofDays, tiers, units, unitAmounts, rates, credited, creditUnits).Error
}

func int32Ptr(p *int) *int32 {
	if p == nil {
		return nil
	}
	v := int32(*p)
	return &v
}

func nullDecText(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.String()
	return &s
}
