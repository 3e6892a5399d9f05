package demo_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/demo"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/spec"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/tenants"
)

// now is mid-March 2026, a Tuesday afternoon: the calendar subscriptions
// start on February 1 in their customers' zones, acme's anniversary one on
// February 2 (its current period began on March 2, 15 days before), and
// the usage runs from those starts.
var now = time.Date(2026, 3, 17, 15, 4, 5, 123456789, time.UTC)

// openApp wires Tally on a fresh database of the dialect with the clock,
// as tally demo does (app.Open), without serving it.
func openApp(t *testing.T, d store.Dialect, clock domain.Clock) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{DatabaseURL: storetest.URL(t, d), LogLevel: "error"}, clock, app.NewLogger("error"))
	if err != nil {
		t.Fatalf("open tally on %s: %v", d, err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// seed seeds the demo tenant on a fresh database of the dialect at the
// instant.
func seed(t *testing.T, d store.Dialect, at time.Time) (*app.App, demo.Result) {
	t.Helper()
	clock := domain.NewFixedClock(at)
	a := openApp(t, d, clock)
	res, err := demo.Seed(context.Background(), a.Services, clock)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return a, res
}

// eachStore runs fn on SQLite and on PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres {
				storetest.RequirePostgres(t)
			}
			fn(t, d)
		})
	}
}

func TestSeedCreatesTheDemoTenant(t *testing.T) {
	eachStore(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a, res := seed(t, d, now)
		svc, db := a.Services, a.DB
		all := domain.Page{Limit: domain.MaxPageLimit}

		if _, err := svc.Tenants.Authenticate(ctx, res.AdminKey); err != nil {
			t.Errorf("admin key: %v", err)
		}
		if k, err := svc.Tenants.Authenticate(ctx, res.IngestKey); err != nil || k.Kind != tenants.KindIngest || k.TenantID != res.TenantID {
			t.Errorf("ingest key: %+v, %v", k, err)
		}

		ml, err := svc.Meters.List(ctx, res.TenantID, all, false)
		if err != nil {
			t.Fatal(err)
		}
		var meterKeys []string
		for _, m := range ml.Data {
			meterKeys = append(meterKeys, m.Key)
		}
		slices.Sort(meterKeys)
		if want := []string{"executions", "o1_cached_input", "o1_input", "o1_output", "queries"}; !slices.Equal(meterKeys, want) {
			t.Errorf("meters %v, want %v", meterKeys, want)
		}

		pl, err := svc.Plans.List(ctx, res.TenantID, all, false)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]plans.Plan{}
		for _, p := range pl.Data {
			byKey[p.Key] = p
		}
		for k, cur := range map[string]string{"o1": "USD", "solo": "USD", "basic": "USD", "standard": "USD", "byok": "USD", "byok_pro": "USD",
			"per_model": "USD", "byok_pro_eur": "EUR", "standard_jpy": "JPY"} {
			if p, ok := byKey[k]; !ok || string(p.Currency) != cur {
				t.Errorf("plan %s: %+v, want one in %s", k, p, cur)
			}
		}
		if len(byKey) != 9 {
			t.Errorf("%d plans, want 9", len(byKey))
		}
		if pro := byKey["byok_pro"]; len(pro.Prices) != 2 {
			t.Errorf("byok_pro has %d prices, want base and exec", len(pro.Prices))
		}
		if pm := byKey["per_model"]; len(pm.Prices) != 3 || len(pm.Prices[0].Filters["model"]) != 1 {
			t.Errorf("per_model prices: %+v", pm.Prices)
		}

		cl, err := svc.Customers.List(ctx, res.TenantID, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(cl.Data) != 8 {
			t.Fatalf("%d customers, want 8", len(cl.Data))
		}
		zones := map[string]string{}
		for _, c := range cl.Data {
			zones[c.ExternalID] = c.Timezone + " " + string(c.Currency)
		}
		for ext, want := range map[string]string{"acme": "UTC USD", "initech": "Europe/Berlin USD", "hooli": "America/Los_Angeles USD",
			"pied_piper": "America/New_York USD", "zahnrad": "Europe/Berlin EUR", "kaiju": "Asia/Tokyo JPY"} {
			if zones[ext] != want {
				t.Errorf("%s's time zone and currency are %q, want %q", ext, zones[ext], want)
			}
		}

		sl, err := svc.Customers.ListSubscriptions(ctx, res.TenantID, customers.SubscriptionQuery{}, all)
		if err != nil {
			t.Fatal(err)
		}
		wantPlan := map[string]string{"acme": "o1", "initech": "solo", "umbrella": "standard", "hooli": "byok", "pied_piper": "byok_pro",
			"bot_co": "per_model", "zahnrad": "byok_pro_eur", "kaiju": "standard_jpy"}
		wantStart := map[string]time.Time{ // 00:00 on February 1 in the customer's zone, or acme's anniversary
			"acme":       time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC),
			"initech":    time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC),
			"hooli":      time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC),
			"pied_piper": time.Date(2026, 2, 1, 5, 0, 0, 0, time.UTC),
			"zahnrad":    time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC),
			"kaiju":      time.Date(2026, 1, 31, 15, 0, 0, 0, time.UTC),
		}
		if len(sl.Data) != len(wantPlan) {
			t.Fatalf("%d subscriptions, want %d", len(sl.Data), len(wantPlan))
		}
		for _, s := range sl.Data {
			if s.PlanKey != wantPlan[s.CustomerExternalID] {
				t.Errorf("%s is on %s, want %s", s.CustomerExternalID, s.PlanKey, wantPlan[s.CustomerExternalID])
			}
			start, ok := wantStart[s.CustomerExternalID]
			if !ok {
				start = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			}
			if !s.StartAt.Equal(start) {
				t.Errorf("%s starts at %s, want %s", s.CustomerExternalID, s.StartAt, start)
			}
			if st := s.StatusAt(now); st != customers.Active {
				t.Errorf("%s is %s now", s.CustomerExternalID, st)
			}
			c, _ := res.Customer(s.CustomerExternalID)
			if c.SubscriptionID != s.ID || c.Plan != s.PlanKey {
				t.Errorf("result for %s: %+v", s.CustomerExternalID, c)
			}
		}

		checkInvoices(t, a, res)
		checkProposed(t, a, res)
		checkCustomersSpanZonesAndCurrencies(t, res)

		if res.Events < 10000 || res.Events > 60000 {
			t.Errorf("%d events, want between 10k and 60k", res.Events)
		}
		sum := 0
		for _, c := range res.Customers {
			if c.Events == 0 {
				t.Errorf("%s has no events", c.ExternalID)
			}
			sum += c.Events
		}
		if sum != res.Events {
			t.Errorf("customers' events add up to %d, not %d", sum, res.Events)
		}
		var stored int64
		if err := db.Gorm.Table("events").Where("tenant_id = ?", res.TenantID).Count(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if stored != int64(res.Events) {
			t.Errorf("%d events stored, result says %d", stored, res.Events)
		}
		newest, err := svc.Meters.ListEvents(ctx, res.TenantID, meters.EventQuery{}, domain.Page{Limit: 1})
		if err != nil || len(newest.Data) != 1 {
			t.Fatalf("newest event: %v", err)
		}
		if ts := newest.Data[0].Timestamp; ts.After(now) {
			t.Errorf("an event lies in the future: %s", ts)
		}
		for _, c := range res.Customers {
			before := c.StartAt
			older, err := svc.Meters.ListEvents(ctx, res.TenantID, meters.EventQuery{Customer: c.ExternalID, To: &before}, domain.Page{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(older.Data) != 0 {
				t.Errorf("an event of %s is older than its subscription (%s): %s", c.ExternalID, c.StartAt, older.Data[0].Timestamp)
			}
		}
		if want := wantStart["kaiju"]; !res.UsageFrom.Equal(want) {
			t.Errorf("the usage starts at %s, want %s (Tokyo's February 1)", res.UsageFrom, want)
		}
		// The o1 meters see only o1 tokens: acme also sends some gpt-4o ones.
		acme, _ := res.Customer("acme")
		gpt, err := svc.Meters.ListEvents(ctx, res.TenantID, meters.EventQuery{Customer: acme.ExternalID}, domain.Page{Limit: domain.MaxPageLimit})
		if err != nil {
			t.Fatal(err)
		}
		models := map[string]bool{}
		for _, e := range gpt.Data {
			var m string
			if json.Unmarshal(e.Properties["model"], &m) == nil {
				models[m] = true
			}
		}
		if !models["o1"] || !models["gpt-4o"] {
			t.Errorf("acme's latest events use models %v, want o1 and gpt-4o", models)
		}
	})
}

func TestSeedIsDeterministicForAFixedClock(t *testing.T) {
	appA, a := seed(t, store.SQLite, now)
	appB, b := seed(t, store.SQLite, now)
	svcA, svcB := appA.Services, appB.Services
	if a.Digest != b.Digest || a.Events != b.Events || !a.UsageFrom.Equal(b.UsageFrom) {
		t.Errorf("two seeds at the same now differ: %s/%d/%s vs %s/%d/%s", a.Digest, a.Events, a.UsageFrom, b.Digest, b.Events, b.UsageFrom)
	}
	for i := range a.Customers {
		ca, cb := a.Customers[i], b.Customers[i]
		if ca.ExternalID != cb.ExternalID || ca.Events != cb.Events || ca.Plan != cb.Plan || !ca.StartAt.Equal(cb.StartAt) {
			t.Errorf("customer %d: %+v vs %+v", i, ca, cb)
		}
	}

	// The stored events, not only the fingerprints, are the same, and are
	// those GenerateUsage makes.
	ctx := context.Background()
	q := meters.EventQuery{Customer: "bot_co"}
	page := domain.Page{Limit: domain.MaxPageLimit}
	la, err := svcA.Meters.ListEvents(ctx, a.TenantID, q, page)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := svcB.Meters.ListEvents(ctx, b.TenantID, q, page)
	if err != nil {
		t.Fatal(err)
	}
	d, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	var botCo demo.UsageSpec
	for _, u := range d.Usage {
		if u.Customer == "bot_co" {
			botCo = u
		}
	}
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) // bot_co's subscription
	gen, err := demo.GenerateUsage(botCo, time.UTC, start, now)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(gen) // the list is newest first
	if len(la.Data) != domain.MaxPageLimit || len(lb.Data) != len(la.Data) {
		t.Fatalf("listed %d and %d events of bot_co", len(la.Data), len(lb.Data))
	}
	for i, ea := range la.Data {
		eb, g := lb.Data[i], gen[i]
		if ea.ID != eb.ID || !ea.Timestamp.Equal(eb.Timestamp) || string(ea.Properties["model"]) != string(eb.Properties["model"]) {
			t.Fatalf("stored event %d: %s at %s vs %s at %s", i, ea.ID, ea.Timestamp, eb.ID, eb.Timestamp)
		}
		if ea.ID != g.ID || !ea.Timestamp.Equal(*g.Timestamp) || string(ea.Properties["model"]) != mustJSON(t, propsOf(t, g)["model"]) {
			t.Fatalf("stored event %d is %s at %s, generated %s at %s", i, ea.ID, ea.Timestamp, g.ID, g.Timestamp)
		}
	}

	later, err := demo.GenerateUsage(botCo, time.UTC, start.Add(time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(later) > 0 && len(gen) > 0 && later[0].Timestamp.Equal(*gen[len(gen)-1].Timestamp) {
		t.Error("an hour later, the usage starts with the same event")
	}
}

func propsOf(t *testing.T, e meters.EventInput) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Properties, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestGeneratedUsageFollowsTheProfile(t *testing.T) {
	u := demo.UsageSpec{Customer: "c", EventName: "e", PerDay: 500, Mix: []demo.MixSpec{
		{Weight: 3, Properties: map[string]any{"kind": "a"}, Quantity: &demo.QuantitySpec{Field: "n", Min: 10, Max: 20}},
		{Weight: 1, Properties: map[string]any{"kind": "b"}},
	}}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	to := from.Add(14 * 24 * time.Hour)
	evs, err := demo.GenerateUsage(u, time.UTC, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(evs); n < 6000 || n > 8000 {
		t.Errorf("%d events in two weeks at 500 a day", n)
	}
	kinds := map[string]int{}
	busy, night := 0, 0
	for i, e := range evs {
		if e.Timestamp.Before(from) || !e.Timestamp.Before(to) {
			t.Fatalf("event %d at %s is outside the window", i, e.Timestamp)
		}
		if i > 0 && e.Timestamp.Before(*evs[i-1].Timestamp) {
			t.Fatalf("event %d is out of order", i)
		}
		p := propsOf(t, e)
		kinds[p["kind"].(string)]++
		if p["kind"] == "a" {
			n := p["n"].(float64)
			if n < 10 || n > 20 || n != float64(int(n)) {
				t.Fatalf("quantity %v outside [10, 20]", n)
			}
		} else if _, ok := p["n"]; ok {
			t.Fatal("a mix entry without quantity got one")
		}
		switch h := e.Timestamp.Hour(); {
		case h >= 9 && h < 18:
			busy++
		case h < 7:
			night++
		}
	}
	if kinds["a"] < 2*kinds["b"] {
		t.Errorf("mix %v does not follow the weights 3:1", kinds)
	}
	if busy < 3*night {
		t.Errorf("%d events in working hours, %d at night", busy, night)
	}
}

func TestParseRejectsBrokenData(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field":     `{"name":"x","meterz":[]}`,
		"unknown customer":  `{"customers":[{"external_id":"a"}],"usage":[{"customer":"b","event_name":"e","per_day":1,"mix":[{"weight":1}]}]}`,
		"two profiles":      `{"customers":[{"external_id":"a"}],"usage":[{"customer":"a","event_name":"e","per_day":1,"mix":[{"weight":1}]},{"customer":"a","event_name":"f","per_day":1,"mix":[{"weight":1}]}]}`,
		"empty mix":         `{"customers":[{"external_id":"a"}],"usage":[{"customer":"a","event_name":"e","per_day":1,"mix":[]}]}`,
		"zero weight":       `{"customers":[{"external_id":"a"}],"usage":[{"customer":"a","event_name":"e","per_day":1,"mix":[{"weight":0}]}]}`,
		"inverted quantity": `{"customers":[{"external_id":"a"}],"usage":[{"customer":"a","event_name":"e","per_day":1,"mix":[{"weight":1,"quantity":{"field":"n","min":5,"max":1}}]}]}`,
	} {
		if _, err := demo.Parse([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestDemoPlansAreTheSharedScenarios keeps the demo's meters and plans equal
// to those of the shared scenario files they were copied from (the in-tree
// copy in spec/scenarios).
func TestDemoPlansAreTheSharedScenarios(t *testing.T) {
	dir, err := spec.ScenariosDir()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no scenario files in %s", dir)
	}
	type entry struct {
		file string
		body string
	}
	shared := map[string]entry{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Meters []demo.MeterSpec `json:"meters"`
			Plans  []demo.PlanSpec  `json:"plans"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, m := range s.Meters {
			shared["meter "+m.Key+" "+m.EventName] = entry{filepath.Base(f), mustJSON(t, m)}
		}
		for _, p := range s.Plans {
			shared["plan "+p.Key+" "+p.Name] = entry{filepath.Base(f), mustJSON(t, p)}
		}
	}
	d, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	check := func(key, body string) {
		e, ok := shared[key]
		switch {
		case !ok:
			t.Errorf("%s is in no shared scenario", key)
		case e.body != body:
			t.Errorf("%s differs from the one of %s:\n demo   %s\n shared %s", key, e.file, body, e.body)
		}
	}
	for _, m := range d.Meters {
		check("meter "+m.Key+" "+m.EventName, mustJSON(t, m))
	}
	for _, p := range d.Plans {
		check("plan "+p.Key+" "+p.Name, mustJSON(t, p))
	}
	if !strings.Contains(mustJSON(t, d.Plans), `"byok_pro"`) {
		t.Error("the demo lacks BYOK Pro")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
