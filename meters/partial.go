package meters

import "github.com/shopspring/decimal"

// partial is a mergeable aggregate of some events: what count, sum, max and
// latest need. Two partials of disjoint event sets merge into the partial of
// their union, which is what lets rollup buckets and raw edge events add up.
type partial struct {
	count     int64
	sum       decimal.Decimal
	max       *decimal.Decimal
	latestTs  int64
	latestID  string
	latestVal *decimal.Decimal
	hasLatest bool
	// maxTs is the greatest timestamp counted (meaningful when count > 0).
	maxTs int64
}

// add folds one event (and its field value, if the meter reads one) in.
func (p *partial) add(ts int64, id string, v *decimal.Decimal) {
	if p.count == 0 || ts > p.maxTs {
		p.maxTs = ts
	}
	p.count++
	if v == nil {
		return
	}
	p.sum = p.sum.Add(*v)
	if p.max == nil || v.GreaterThan(*p.max) {
		x := *v
		p.max = &x
	}
	if !p.hasLatest || ts > p.latestTs || (ts == p.latestTs && id > p.latestID) {
		x := *v
		p.latestTs, p.latestID, p.latestVal, p.hasLatest = ts, id, &x, true
	}
}

// merge folds another partial in.
func (p *partial) merge(q partial) {
	if q.count > 0 && (p.count == 0 || q.maxTs > p.maxTs) {
		p.maxTs = q.maxTs
	}
	p.count += q.count
	p.sum = p.sum.Add(q.sum)
	if q.max != nil && (p.max == nil || q.max.GreaterThan(*p.max)) {
		p.max = q.max
	}
	if q.hasLatest && (!p.hasLatest || q.latestTs > p.latestTs || (q.latestTs == p.latestTs && q.latestID > p.latestID)) {
		p.latestTs, p.latestID, p.latestVal, p.hasLatest = q.latestTs, q.latestID, q.latestVal, true
	}
}

// value is the quantity of the aggregation type (count, sum, max, latest).
func (p partial) value(t AggregationType) decimal.Decimal {
	switch t {
	case Count:
		return decimal.NewFromInt(p.count)
	case Sum:
		return p.sum
	case Max:
		if p.max != nil {
			return *p.max
		}
	case Latest:
		if p.latestVal != nil {
			return *p.latestVal
		}
	}
	return decimal.Zero
}
