package plans

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/eventvalue"
	"github.com/tallyhq/tally/plans/rating"
)

type planRow struct {
	ID            string `gorm:"primaryKey"`
	TenantID      string
	Key           string
	Name          string
	Description   string
	Currency      string
	Interval      string
	ExternalCosts string
	ArchivedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (planRow) TableName() string { return "plans" }

type priceRow struct {
	ID             string `gorm:"primaryKey"`
	TenantID       string
	PlanID         string
	Position       int
	Key            string
	Type           string
	Model          string
	MeterID        *string
	Amount         decimal.NullDecimal
	PackageSize    decimal.NullDecimal
	Rounding       string
	TierMode       string
	Tiers          string
	FreeUnits      decimal.Decimal
	MinimumAmount  decimal.NullDecimal
	Filters        string
	Cadence        string
	PriceUnit      string
	ConversionRate decimal.NullDecimal
}

func (priceRow) TableName() string { return "prices" }

// tierDoc is the stored JSON of one tier: decimals as strings.
type tierDoc struct {
	UpTo       *string `json:"up_to"`
	UnitAmount string  `json:"unit_amount"`
	FlatAmount string  `json:"flat_amount"`
}

func nullDec(d *decimal.Decimal) decimal.NullDecimal {
	if d == nil {
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: *d, Valid: true}
}

func decPtr(n decimal.NullDecimal) *decimal.Decimal {
	if !n.Valid {
		return nil
	}
	d := n.Decimal
	return &d
}

func toPriceRow(tenantID, planID string, pos int, p Price) priceRow {
	r := p.Rating
	tiers := make([]tierDoc, len(r.Tiers))
	for i, t := range r.Tiers {
		var up *string
		if t.UpTo != nil {
			s := t.UpTo.String()
			up = &s
		}
		tiers[i] = tierDoc{UpTo: up, UnitAmount: t.UnitAmount.String(), FlatAmount: t.FlatAmount.String()}
	}
	tj, _ := json.Marshal(tiers)
	row := priceRow{ID: p.ID, TenantID: tenantID, PlanID: planID, Position: pos, Key: p.Key, Type: string(p.Type),
		Model: string(r.Model), Rounding: string(r.Rounding), TierMode: string(r.TierMode), Tiers: string(tj),
		FreeUnits: r.FreeUnits, Filters: eventvalue.EncodeFilters(p.Filters), Cadence: string(p.Cadence), PriceUnit: r.PriceUnit,
		PackageSize: nullDec(r.PackageSize), MinimumAmount: nullDec(r.MinimumAmount), ConversionRate: nullDec(r.ConversionRate)}
	if r.Model != rating.ModelTiered {
		row.Amount = decimal.NullDecimal{Decimal: r.Amount, Valid: true}
	}
	if p.MeterID != "" {
		id := p.MeterID
		row.MeterID = &id
	}
	return row
}

// corruptRow is the error for a stored value the code cannot read: it names
// the table, the row and the column, so an operator can find and fix it.
func corruptRow(table, id, column string, err error) error {
	return fmt.Errorf("corrupt stored data in %s row %s, column %s: %w", table, id, column, err)
}

// toPrice builds a price from its stored row; malformed tier or filter JSON,
// or a tier decimal that is not a number, is an error naming the table, the
// row and the column.
func (r priceRow) toPrice(meterKeys map[string]Meter) (Price, error) {
	if f := bytes.TrimSpace([]byte(r.Filters)); len(f) > 0 && !json.Valid(f) {
		return Price{}, corruptRow("prices", r.ID, "filters", errors.New("not JSON"))
	}
	p := Price{ID: r.ID, Key: r.Key, Type: PriceType(r.Type), Filters: eventvalue.DecodeFilters(r.Filters), Cadence: Cadence(r.Cadence)}
	if r.MeterID != nil {
		p.MeterID = *r.MeterID
		if m, ok := meterKeys[p.MeterID]; ok {
			p.MeterKey = m.Key
			p.Rating.Unit = m.Unit
		}
	}
	tiers, err := storedTiers(r.Tiers)
	if err != nil {
		return Price{}, corruptRow("prices", r.ID, "tiers", err)
	}
	rt := &p.Rating
	rt.Model = rating.Model(r.Model)
	if r.Amount.Valid {
		rt.Amount = r.Amount.Decimal
	}
	rt.PackageSize = decPtr(r.PackageSize)
	rt.Rounding = rating.Rounding(r.Rounding)
	rt.TierMode = rating.TierMode(r.TierMode)
	rt.FreeUnits = r.FreeUnits
	rt.MinimumAmount = decPtr(r.MinimumAmount)
	rt.PriceUnit = r.PriceUnit
	rt.ConversionRate = decPtr(r.ConversionRate)
	rt.Tiers = tiers
	return p, nil
}

// storedTiers reads a price's stored tiers: a JSON array of tierDoc ("" or
// "null" for none).
func storedTiers(stored string) ([]rating.Tier, error) {
	if stored == "" || stored == "null" {
		return nil, nil
	}
	var docs []tierDoc
	if err := json.Unmarshal([]byte(stored), &docs); err != nil {
		return nil, err
	}
	var out []rating.Tier
	for i, d := range docs {
		var t rating.Tier
		var err error
		if t.UnitAmount, err = decimal.NewFromString(d.UnitAmount); err != nil {
			return nil, fmt.Errorf("tier %d unit_amount: %w", i, err)
		}
		if t.FlatAmount, err = decimal.NewFromString(d.FlatAmount); err != nil {
			return nil, fmt.Errorf("tier %d flat_amount: %w", i, err)
		}
		if d.UpTo != nil {
			u, err := decimal.NewFromString(*d.UpTo)
			if err != nil {
				return nil, fmt.Errorf("tier %d up_to: %w", i, err)
			}
			t.UpTo = &u
		}
		out = append(out, t)
	}
	return out, nil
}

// toPlan builds a plan from its stored row and prices; an unknown interval is
// an error naming the table, the row and the column.
func (r planRow) toPlan(prices []Price) (Plan, error) {
	if !calendar.Interval(r.Interval).Valid() {
		return Plan{}, corruptRow("plans", r.ID, "interval", fmt.Errorf("unknown interval %q", r.Interval))
	}
	ext, err := decodeExternalCosts(r.ID, r.ExternalCosts)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{ID: r.ID, ExternalCosts: ext, TenantID: r.TenantID, Key: r.Key, Name: r.Name, Description: r.Description,
		Currency: domain.Currency(r.Currency), Interval: calendar.Interval(r.Interval), Prices: prices,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if p.Prices == nil {
		p.Prices = []Price{}
	}
	if r.ArchivedAt != nil {
		t := r.ArchivedAt.UTC()
		p.ArchivedAt = &t
	}
	return p, nil
}
