package demo_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/demo"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

func TestNounCountAgreesWithTheNumber(t *testing.T) {
	execution := demo.NounFromPlural("executions")
	for _, tc := range []struct {
		name string
		noun demo.Noun
		n    int
		want string
	}{
		{"one execution is singular", execution, 1, "1 execution"},
		{"two executions are plural", execution, 2, "2 executions"},
		{"no executions are plural too", execution, 0, "0 executions"},
		{"thousands are grouped by commas", execution, 12345, "12,345 executions"},
		{"a plural in -ies comes from -y", demo.NounFromPlural("queries"), 1, "1 query"},
		{"a plural in -es after ch drops -es", demo.NounFromPlural("batches"), 1, "1 batch"},
		{"a word with no plural form stays as it is", demo.NounFromPlural("data"), 1, "1 data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.noun.Count(tc.n); got != tc.want {
				t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

// wrongPlural finds "1 executions" or "2 execution" style disagreements
// among the words the welcome text counts.
var (
	singularWithPlural = regexp.MustCompile(`(^|[^\d,.])1 (meters|plans|customers|credit grants|events|executions|queries|invoices|drafts)\b`)
	pluralWithSingular = regexp.MustCompile(`(^|[^\d,.])([02-9]|\d{2,}|\d{1,3}(,\d{3})+) (meter|plan|customer|credit grant|event|execution|query|invoice|draft)\b`)
)

func TestWelcomeCountsReadRight(t *testing.T) {
	day := domain.Period{Start: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	customer := func(ext string, events int) demo.Customer {
		return demo.Customer{ID: "cus_" + ext, ExternalID: ext, Name: ext, Timezone: "UTC", Currency: "USD", Plan: "solo",
			BillingCycle: "calendar", SubscriptionID: "sub_" + ext, Events: events, Unit: demo.NounFromPlural("executions")}
	}
	invoice := func(id string, st invoicing.Status) demo.Invoice {
		inv := demo.Invoice{ID: id, Status: st, Reason: invoicing.Cycle, Customer: "a", Period: day, Currency: "USD", Total: decimal.NewFromInt(3)}
		if st == invoicing.Finalized {
			inv.Number = "INV-000001"
		}
		return inv
	}
	for _, tc := range []struct {
		name   string
		res    demo.Result
		wanted []string
	}{
		{"one of each reads in the singular", demo.Result{Meters: []string{"m"}, Plans: []string{"p"}, Customers: []demo.Customer{customer("a", 1)},
			Events: 1, Grants: 1, Invoices: []demo.Invoice{invoice("inv_1", invoicing.Draft)}},
			[]string{"1 meter,", "1 plan,", "1 customer,", "1 credit grant\n", "1 event from", "1 execution ", "1 invoice: 1 draft, 0 finalized"}},
		{"two of each read in the plural", demo.Result{Meters: []string{"m", "n"}, Plans: []string{"p", "q"},
			Customers: []demo.Customer{customer("a", 2), customer("b", 1234)}, Events: 1236, Grants: 2,
			Invoices: []demo.Invoice{invoice("inv_1", invoicing.Draft), invoice("inv_2", invoicing.Draft), invoice("inv_3", invoicing.Finalized)}},
			[]string{"2 meters,", "2 plans,", "2 customers,", "2 credit grants\n", "1,236 events from", "2 executions ", "1,234 executions ",
				"3 invoices: 2 drafts, 1 finalized", "INV-000001"}},
		{"none read in the plural", demo.Result{}, []string{"0 meters,", "0 plans,", "0 customers,", "0 credit grants\n", "0 events from"}},
		{"the console address is given to log in with the admin key", demo.Result{AdminKey: "tly_adm_x"}, []string{"console     http://127.0.0.1:1/console/  (log in with the admin key above)", "admin key   tly_adm_x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			w := demo.Welcome{URL: "http://127.0.0.1:1", DBPath: "/tmp/x.db", Seeded: tc.res}
			if err := w.Write(&b); err != nil {
				t.Fatal(err)
			}
			text := b.String()
			for _, want := range tc.wanted {
				if !strings.Contains(text, want) {
					t.Errorf("the welcome text lacks %q:\n%s", want, text)
				}
			}
			for _, re := range []*regexp.Regexp{singularWithPlural, pluralWithSingular} {
				if m := re.FindString(text); m != "" {
					t.Errorf("the welcome text says %q:\n%s", m, text)
				}
			}
		})
	}
}
