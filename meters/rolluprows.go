package meters

import (
	"github.com/shopspring/decimal"
)

// A rollup row holds, for one series, customer and bucket (the UTC start,
// in microseconds, of an hour in usage_rollups or a minute in
// usage_rollups_minute), the partial of the series' events in it; or, in
// a shard (see shardPool), the partial of some of them: a bucket is the
// merge of its shards.
type rollupRow struct {
	SeriesID    string `gorm:"primaryKey"`
	Customer    string `gorm:"primaryKey"`
	Bucket      int64  `gorm:"primaryKey"`
	Shard       int    `gorm:"primaryKey"`
	EventCount  int64
	SumValue    decimal.Decimal
	MaxValue    decimal.NullDecimal
	LatestTs    *int64
	LatestID    *string
	LatestValue decimal.NullDecimal
	MaxTs       int64 // the greatest timestamp counted in the row
}

func (rollupRow) TableName() string { return "usage_rollups" }

func (r rollupRow) partial() partial {
	p := partial{count: r.EventCount, sum: r.SumValue, maxTs: r.MaxTs}
	if r.MaxValue.Valid {
		v := r.MaxValue.Decimal
		p.max = &v
	}
	if r.LatestTs != nil && r.LatestID != nil {
		p.hasLatest, p.latestTs, p.latestID = true, *r.LatestTs, *r.LatestID
		if r.LatestValue.Valid {
			v := r.LatestValue.Decimal
			p.latestVal = &v
		}
	}
	return p
}

func toRollupRow(k rollupKey, shard int, p partial) rollupRow {
	r := rollupRow{SeriesID: k.series, Customer: k.customer, Bucket: k.bucket, Shard: shard, EventCount: p.count, SumValue: p.sum, MaxTs: p.maxTs}
	if p.max != nil {
		r.MaxValue = decimal.NullDecimal{Decimal: *p.max, Valid: true}
	}
	if p.hasLatest {
		ts, id := p.latestTs, p.latestID
		r.LatestTs, r.LatestID = &ts, &id
		if p.latestVal != nil {
			r.LatestValue = decimal.NullDecimal{Decimal: *p.latestVal, Valid: true}
		}
	}
	return r
}
