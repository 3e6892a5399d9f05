package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tallyhq/tally/meters"
)

// Window is how far back the generated usage reaches from now (never before
// the customer's subscription starts).
const Window = 30 * 24 * time.Hour

// randomSeed fixes the generator: the same data and the same "now" give the
// same events.
const randomSeed = 20260101

// GenerateUsage returns the events of one usage profile in [from, now),
// oldest first, in the customer's time zone loc (for the daily rhythm). It
// is deterministic: the same arguments give the same events.
func GenerateUsage(u UsageSpec, loc *time.Location, from, now time.Time) ([]meters.EventInput, error) {
	if loc == nil {
		loc = time.UTC
	}
	h := fnv.New64a()
	h.Write([]byte(u.Customer + "\x00" + u.EventName))
	rng := rand.New(rand.NewPCG(randomSeed, h.Sum64()))
	total := 0
	for _, m := range u.Mix {
		total += m.Weight
	}
	norm := meanRhythm()
	var out []meters.EventInput
	nowMicro := now.UnixMicro()
	fromMicro := from.UnixMicro()
	for hour := from.Truncate(time.Hour); hour.Before(now); hour = hour.Add(time.Hour) {
		local := hour.In(loc)
		// Mean events this hour, with ±20% noise.
		lambda := u.PerDay / 24 * rhythm(local) / norm * (0.8 + 0.4*rng.Float64())
		n := int(lambda)
		if rng.Float64() < lambda-math.Floor(lambda) {
			n++
		}
		offsets := make([]int64, n)
		for i := range offsets {
			offsets[i] = rng.Int64N(int64(time.Hour / time.Microsecond))
		}
		slices.Sort(offsets)
		for _, off := range offsets {
			pick := rng.IntN(total)
			var mix MixSpec
			for _, m := range u.Mix {
				if pick < m.Weight {
					mix = m
					break
				}
				pick -= m.Weight
			}
			var qty int64
			if q := mix.Quantity; q != nil {
				qty = q.Min + rng.Int64N(q.Max-q.Min+1)
			}
			ts := hour.UnixMicro() + off
			if ts < fromMicro || ts >= nowMicro {
				continue
			}
			props := make(map[string]any, len(mix.Properties)+1)
			for k, v := range mix.Properties {
				props[k] = v
			}
			if q := mix.Quantity; q != nil {
				props[q.Field] = qty
			}
			raw, err := json.Marshal(props)
			if err != nil {
				return nil, fmt.Errorf("demo usage of %s: %w", u.Customer, err)
			}
			t := time.UnixMicro(ts).UTC()
			out = append(out, meters.EventInput{ID: fmt.Sprintf("demo-%s-%06d", u.Customer, len(out)), EventName: u.EventName,
				Customer: u.Customer, Timestamp: &t, Properties: raw})
		}
	}
	return out, nil
}

// rhythm is the relative traffic of an hour: busy in working hours, quiet
// at night, lighter at weekends.
func rhythm(t time.Time) float64 {
	f := 0.3
	switch h := t.Hour(); {
	case h >= 9 && h < 18:
		f = 1.6
	case h >= 7 && h < 22:
		f = 0.9
	}
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		f *= 0.5
	}
	return f
}

// meanRhythm is rhythm's mean over a week, so that per_day stays the mean.
func meanRhythm() float64 {
	base := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	sum := 0.0
	for i := range 7 * 24 {
		sum += rhythm(base.Add(time.Duration(i) * time.Hour))
	}
	return sum / (7 * 24)
}

// digest folds events into a fingerprint, to tell two generations apart.
type digest struct{ h [32]byte }

func (d *digest) add(evs []meters.EventInput) {
	s := sha256.New()
	s.Write(d.h[:])
	for _, e := range evs {
		s.Write([]byte(e.ID))
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(e.Timestamp.UnixMicro()))
		s.Write(b[:])
		s.Write(e.Properties)
	}
	copy(d.h[:], s.Sum(nil))
}

func (d *digest) String() string { return hex.EncodeToString(d.h[:]) }
