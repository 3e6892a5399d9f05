package plans

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/eventvalue"
	"github.com/tallyhq/tally/plans/rating"
)

type planRow struct {
	ID          string `gorm:"primaryKey"`
	TenantID    string
	Key         string
	Name        string
	Description string
	Currency    string
	Interval    string
	ArchivedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
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

func (r priceRow) toPrice(meterKeys map[string]Meter) Price {
	p := Price{ID: r.ID, Key: r.Key, Type: PriceType(r.Type), Filters: eventvalue.DecodeFilters(r.Filters), Cadence: Cadence(r.Cadence)}
	if r.MeterID != nil {
		p.MeterID = *r.MeterID
		if m, ok := meterKeys[p.MeterID]; ok {
			p.MeterKey = m.Key
			p.Rating.Unit = m.Unit
		}
	}
	var docs []tierDoc
	_ = json.Unmarshal([]byte(r.Tiers), &docs)
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
	for _, d := range docs {
		t := rating.Tier{UnitAmount: decimal.RequireFromString(d.UnitAmount), FlatAmount: decimal.RequireFromString(d.FlatAmount)}
		if d.UpTo != nil {
			u := decimal.RequireFromString(*d.UpTo)
			t.UpTo = &u
		}
		rt.Tiers = append(rt.Tiers, t)
	}
	return p
}

func (r planRow) toPlan(prices []Price) Plan {
	p := Plan{ID: r.ID, TenantID: r.TenantID, Key: r.Key, Name: r.Name, Description: r.Description,
		Currency: domain.Currency(r.Currency), Interval: calendar.Interval(r.Interval), Prices: prices,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if p.Prices == nil {
		p.Prices = []Price{}
	}
	if r.ArchivedAt != nil {
		t := r.ArchivedAt.UTC()
		p.ArchivedAt = &t
	}
	return p
}
