package invoicing_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// The property (pricing.md, "When the end of the last period is known"):
// what a subscription is billed depends only on the requests and the
// instants they were made, never on when invoice runs happen or whether a
// draft was finalized before or after a change. Random histories (events,
// cancels and plan changes at random instants, trials, anniversary cycles,
// time-zone changes, customers in several zones) are played in fresh
// tenants, each on its own test clock, with invoice runs and finalizations
// at different random instants; every schedule must end with the same
// invoices and the same billed total per subscription.
//
// TALLY_PROPERTY_SEEDS sets how many histories are tried (default 4).
func TestInvoicesDoNotDependOnWhenRunsHappen(t *testing.T) {
	seeds := propertySeeds()
	apptest.Each(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), func(t *testing.T, s *apptest.Server) {
		for seed := 1; seed <= seeds; seed++ {
			r := rand.New(rand.NewPCG(uint64(seed), 7))
			h := randomHistory(r)
			var first map[string]string
			for sched := 0; sched < 3; sched++ {
				plan := randomSchedule(r, sched)
				got := h.play(t, s, fmt.Sprintf("seed %d schedule %d", seed, sched), plan)
				if sched == 0 {
					first = got
					continue
				}
				if diff := diffResults(first, got); diff != "" {
					t.Fatalf("seed %d: schedule %d (runs %v) billed differently from schedule 0:\n%s\nhistory:\n%s", seed, sched, plan, diff, h)
				}
			}
			if len(first) == 0 {
				t.Fatalf("seed %d produced no invoice", seed)
			}
		}
	})
}

var (
	propStart   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	propHorizon = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	propZones   = []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "America/Santiago"}
)

// step is one request of a history, made at its instant.
type step struct {
	at   time.Time
	kind string // event, cancel, change_plan, timezone
	cust string
	body string
}

type history struct {
	subs  []string // POST /v1/subscriptions bodies, made at propStart
	custs []string // POST /v1/customers bodies
	steps []step
}

func (h history) String() string {
	var b strings.Builder
	for _, c := range h.custs {
		fmt.Fprintln(&b, "customer", c)
	}
	for _, s := range h.subs {
		fmt.Fprintln(&b, "subscription", s)
	}
	for _, s := range h.steps {
		if s.kind != "event" {
			fmt.Fprintln(&b, s.at.Format(time.RFC3339), s.kind, s.cust, s.body)
		}
	}
	return b.String()
}

func randInstant(r *rand.Rand, from, to time.Time) time.Time {
	return from.Add(time.Duration(r.Int64N(int64(to.Sub(from))))).Truncate(time.Second)
}

func randomHistory(r *rand.Rand) history { return randomHistoryOf(r, 3) }

// randomHistoryOf is a random history of n customers.
func randomHistoryOf(r *rand.Rand, n int) history {
	var h history
	for i := 0; i < n; i++ {
		cust := fmt.Sprintf("c%d", i)
		h.custs = append(h.custs, fmt.Sprintf(`{"external_id":%q,"currency":"USD","timezone":%q}`, cust, propZones[r.IntN(len(propZones))]))
		start := randInstant(r, propStart, propStart.Add(40*24*time.Hour))
		cyc := []string{"calendar", "anniversary"}[r.IntN(2)]
		trial := 0
		if r.IntN(3) == 0 {
			trial = 1 + r.IntN(10)
		}
		plan := []string{"a", "b"}[r.IntN(2)]
		h.subs = append(h.subs, fmt.Sprintf(`{"customer":%q,"plan":%q,"start_at":%q,"billing_cycle":%q,"trial_days":%d}`,
			cust, plan, start.Format(time.RFC3339), cyc, trial))
		for e := 0; e < 12; e++ {
			at := randInstant(r, start, propHorizon)
			h.steps = append(h.steps, step{at: at, kind: "event", cust: cust,
				body: fmt.Sprintf(`{"id":"%s-e%d","event_name":"call","customer":%q,"timestamp":%q}`, cust, e, cust, at.Format(time.RFC3339))})
		}
		if r.IntN(10) < 7 {
			at := randInstant(r, start.Add(24*time.Hour), propHorizon.Add(-20*24*time.Hour))
			other := map[string]string{"a": "b", "b": "a"}[plan]
			switch r.IntN(5) {
			case 0:
				h.steps = append(h.steps, step{at: at, kind: "cancel", cust: cust, body: fmt.Sprintf(`{"at":"now","prorate":%t}`, r.IntN(2) == 0)})
			case 1:
				h.steps = append(h.steps, step{at: at, kind: "cancel", cust: cust, body: fmt.Sprintf(`{"at":"period_end","prorate":%t}`, r.IntN(2) == 0)})
			case 2:
				end := at.Add(time.Duration(1+r.IntN(50)) * 24 * time.Hour).Add(time.Duration(r.IntN(86400)) * time.Second)
				h.steps = append(h.steps, step{at: at, kind: "cancel", cust: cust, body: fmt.Sprintf(`{"at":%q,"prorate":%t}`, end.Format(time.RFC3339), r.IntN(2) == 0)})
			case 3:
				h.steps = append(h.steps, step{at: at, kind: "change_plan", cust: cust, body: fmt.Sprintf(`{"plan":%q,"at":"now"}`, other)})
			case 4:
				h.steps = append(h.steps, step{at: at, kind: "change_plan", cust: cust, body: fmt.Sprintf(`{"plan":%q,"at":"period_end"}`, other)})
			}
		}
		if r.IntN(10) < 4 {
			at := randInstant(r, propStart, propHorizon.Add(-10*24*time.Hour))
			h.steps = append(h.steps, step{at: at, kind: "timezone", cust: cust, body: fmt.Sprintf(`{"timezone":%q}`, propZones[r.IntN(len(propZones))])})
		}
	}
	sort.SliceStable(h.steps, func(i, j int) bool { return h.steps[i].at.Before(h.steps[j].at) })
	return h
}

// schedule is when invoice runs ("run") and finalizations of every draft
// ("finalize") happen. Schedule 0 only runs once, at the horizon.
type schedule []step

func randomSchedule(r *rand.Rand, n int) schedule {
	var out schedule
	if n == 0 {
		return out
	}
	for i := 0; i < 2+r.IntN(8); i++ {
		out = append(out, step{at: randInstant(r, propStart, propHorizon), kind: "run"})
	}
	for i := 0; i < 1+r.IntN(4); i++ {
		out = append(out, step{at: randInstant(r, propStart, propHorizon), kind: "finalize"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func (s schedule) String() string {
	var parts []string
	for _, x := range s {
		parts = append(parts, x.kind+"@"+x.at.Format("01-02T15:04"))
	}
	return strings.Join(parts, " ")
}

// play runs the history with the schedule in a new tenant and returns each
// customer's non-void invoices and billed totals, keyed so that schedules
// compare.
func (h history) play(t *testing.T, s *apptest.Server, name string, plan schedule) map[string]string {
	t.Helper()
	return h.playWith(t, s, name, plan, playOpts{})
}

// playOpts vary play: run drafts the tenant's invoices as of at (nil: POST
// /v1/invoice_runs), and with numbers every other customer gets a credit
// grant and each result also holds the invoice's number, status and
// credits applied, subtotal, note and every field of its lines.
type playOpts struct {
	run     func(t *testing.T, key string, at time.Time)
	numbers bool
}

func (h history) playWith(t *testing.T, s *apptest.Server, name string, plan schedule, o playOpts) map[string]string {
	t.Helper()
	key := s.NewTenant(name)
	do := func(want int, method, path, body string) map[string]any {
		t.Helper()
		r := s.Do(method, path, key, body)
		if r.Status != want {
			t.Fatalf("%s: %s %s %s: status %d, want %d: %s", name, method, path, body, r.Status, want, r.Body)
		}
		return r.JSON()
	}
	clock := func(at time.Time) {
		do(200, "PUT", "/v1/test_clock", fmt.Sprintf(`{"now":%q}`, at.Format(time.RFC3339Nano)))
	}
	clock(propStart)
	do(201, "POST", "/v1/meters", `{"key":"calls","event_name":"call","aggregation":{"type":"count"}}`)
	do(201, "POST", "/v1/plans", `{"key":"a","currency":"USD","interval":"month","prices":[
		{"key":"adv","type":"fixed","model":"flat","amount":"31","cadence":"advance"},
		{"key":"arr","type":"fixed","model":"flat","amount":"10","cadence":"arrear"},
		{"key":"call","type":"usage","meter":"calls","model":"per_unit","amount":"0.5","minimum_amount":"3"}]}`)
	do(201, "POST", "/v1/plans", `{"key":"b","currency":"USD","interval":"month","prices":[
		{"key":"adv","type":"fixed","model":"flat","amount":"62","cadence":"advance"},
		{"key":"call","type":"usage","meter":"calls","model":"tiered","tier_mode":"graduated","tiers":[{"up_to":"5","unit_amount":"1"},{"up_to":null,"unit_amount":"0.25","flat_amount":"2"}]}]}`)
	runAt := func(at time.Time) {
		t.Helper()
		if o.run != nil {
			o.run(t, key, at)
			return
		}
		if run := do(201, "POST", "/v1/invoice_runs", fmt.Sprintf(`{"as_of":%q,"wait":true}`, at.Format(time.RFC3339))); run["status"] != "completed" {
			t.Fatalf("%s: run at %s: %v", name, at, run)
		}
	}
	custID := map[string]string{}
	subID := map[string]string{} // customer → its current subscription
	for i, c := range h.custs {
		res := do(201, "POST", "/v1/customers", c)
		custID[res["external_id"].(string)] = res["id"].(string)
		if o.numbers && i%2 == 0 { // credit that finalization draws
			do(201, "POST", "/v1/customers/"+res["id"].(string)+"/credit_grants", `{"amount":"45"}`)
		}
	}
	for _, b := range h.subs {
		res := do(201, "POST", "/v1/subscriptions", b)
		subID[res["customer"].(string)] = res["id"].(string)
	}
	all := append(append([]step(nil), h.steps...), plan...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	var last time.Time
	for _, st := range all {
		if st.at.After(last) {
			clock(st.at)
			last = st.at
		}
		switch st.kind {
		case "event":
			do(202, "POST", "/v1/events", st.body)
		case "cancel":
			if r := s.Do("POST", "/v1/subscriptions/"+subID[st.cust]+"/cancel", key, st.body); r.Status != 200 && r.Status != 409 && r.Status != 422 {
				t.Fatalf("%s: cancel: %d %s", name, r.Status, r.Body)
			}
		case "change_plan":
			r := s.Do("POST", "/v1/subscriptions/"+subID[st.cust]+"/change_plan", key, st.body)
			switch r.Status {
			case 200:
				subID[st.cust] = r.JSON()["new_subscription"].(map[string]any)["id"].(string)
			case 409, 422: // not active any more (e.g. still in trial): the same in every schedule
			default:
				t.Fatalf("%s: change_plan: %d %s", name, r.Status, r.Body)
			}
		case "timezone":
			do(200, "PATCH", "/v1/customers/"+custID[st.cust], st.body)
		case "run":
			runAt(st.at)
		case "finalize":
			drafts := do(200, "GET", "/v1/invoices?status=draft&limit=500", "")
			for _, d := range drafts["data"].([]any) {
				do(200, "POST", "/v1/invoices/"+d.(map[string]any)["id"].(string)+"/finalize", "")
			}
		}
	}
	clock(propHorizon)
	runAt(propHorizon)
	out := map[string]string{}
	for ext, id := range custID {
		invs := do(200, "GET", "/v1/invoices?limit=500&customer="+id, "")["data"].([]any)
		for _, x := range invs {
			inv := x.(map[string]any)
			if inv["status"] == "void" {
				continue
			}
			var lines []string
			for _, l := range inv["lines"].([]any) {
				lm := l.(map[string]any)
				lines = append(lines, fmt.Sprintf("%s=%s", lm["price_key"], lm["amount"]))
			}
			sort.Strings(lines)
			k := fmt.Sprintf("%s %s %s→%s", ext, inv["billing_reason"], inv["period_start"], inv["period_end"])
			out[k] = fmt.Sprintf("%s [%s]", inv["total"], strings.Join(lines, " "))
			if o.numbers {
				full, _ := json.Marshal(inv["lines"]) // every field of every line, keys sorted
				out[k] += fmt.Sprintf(" %v %v credits %v subtotal %v note %q lines %s", inv["number"], inv["status"], inv["credits_applied"], inv["subtotal"], inv["note"], full)
			}
		}
	}
	return out
}

func diffResults(want, got map[string]string) string {
	var keys []string
	seen := map[string]bool{}
	for k := range want {
		keys, seen[k] = append(keys, k), true
	}
	for k := range got {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if want[k] != got[k] {
			fmt.Fprintf(&b, "  %s: %q vs %q\n", k, want[k], got[k])
		}
	}
	return b.String()
}
