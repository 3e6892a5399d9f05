package credits_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
)

var now = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// periodEnd is the end of the period the invoices under test close.
var periodEnd = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(n int) *time.Time { t := now.AddDate(0, 0, n); return &t }

type gopt func(*credits.Grant)

func expires(t *time.Time) gopt { return func(g *credits.Grant) { g.ExpiresAt = t } }
func prio(p int) gopt           { return func(g *credits.Grant) { g.Priority = p } }
func all(g *credits.Grant)      { g.AppliesTo = credits.AppliesAll }
func created(n int) gopt        { return func(g *credits.Grant) { g.CreatedAt = now.AddDate(0, 0, n-30) } }
func unit(u, rate string) gopt {
	return func(g *credits.Grant) { g.Unit, g.ConversionRate = u, d(rate) }
}
func voided(g *credits.Grant)          { g.VoidedAt = &now }
func awaitingPayment(g *credits.Grant) { g.UsableAt = nil }

// usd is a money grant of amount dollars applying to usage.
func usd(id, amount string, opts ...gopt) credits.Grant {
	g := credits.Grant{ID: id, Unit: "USD", ConversionRate: d("1"), Amount: d(amount), Remaining: d(amount), Priority: 1,
		AppliesTo: credits.AppliesUsage, CreatedAt: now.AddDate(0, 0, -30), UsableAt: day(-30)}
	for _, o := range opts {
		o(&g)
	}
	return g
}

// cr is a grant of amount "credits" worth $0.01 each ($10 = 1,000 credits).
func cr(id, amount string, opts ...gopt) credits.Grant {
	return usd(id, amount, append([]gopt{unit("credits", "0.01")}, opts...)...)
}

func usage(amount string) credits.Line { return credits.Line{Usage: true, Amount: d(amount)} }
func fee(amount string) credits.Line   { return credits.Line{Amount: d(amount)} }

// creditLine is a usage line priced in credits at $0.01: n credits are
// worth n × 0.01 rounded to cents.
func creditLine(n string) credits.Line {
	return credits.Line{Usage: true, Unit: "credits", UnitAmount: d(n), Rate: d("0.01"), Amount: domain.Currency("USD").Round(d(n).Mul(d("0.01")))}
}

func draw(id string, line int, units, amount string) credits.Draw {
	return credits.Draw{GrantID: id, Line: line, Units: d(units), Amount: d(amount)}
}

func TestPlan(t *testing.T) {
	cases := []struct {
		name   string
		grants []credits.Grant
		lines  []credits.Line
		want   []credits.Draw
	}{
		{"a money grant applying to usage pays the $25 usage line, not the $31 fee",
			[]credits.Grant{usd("a", "100")}, []credits.Line{usage("25.00"), fee("31.00")},
			[]credits.Draw{draw("a", 0, "25.00", "25.00")}},
		{"a money grant applying to all pays both lines: 25 + 31 = 56 of its 100",
			[]credits.Grant{usd("a", "100", all)}, []credits.Line{usage("25.00"), fee("31.00")},
			[]credits.Draw{draw("a", 0, "25.00", "25.00"), draw("a", 1, "31.00", "31.00")}},
		{"a money grant pays only what it holds: $10 of a $25 line",
			[]credits.Grant{usd("a", "10")}, []credits.Line{usage("25.00")},
			[]credits.Draw{draw("a", 0, "10.00", "10.00")}},
		{"1,000 credits pay only the line priced in credits: 250 credits = $2.50, the $5 USD line is left",
			[]credits.Grant{cr("c", "1000")}, []credits.Line{usage("5.00"), creditLine("250")},
			[]credits.Draw{draw("c", 1, "250", "2.50")}},
		{"100 credits pay 100 of a 250-credit line: $1.00 of its $2.50",
			[]credits.Grant{cr("c", "100")}, []credits.Line{creditLine("250")},
			[]credits.Draw{draw("c", 0, "100", "1.00")}},
		{"two credit grants complete a 250.5-credit line ($2.51): 100.25 credits = $1.00, the other 150.25 take the last $1.51",
			[]credits.Grant{cr("a", "100.25", created(1)), cr("b", "1000", created(2))}, []credits.Line{creditLine("250.5")},
			[]credits.Draw{draw("a", 0, "100.25", "1.00"), draw("b", 0, "150.25", "1.51")}},
		{"a credits grant in another unit pays nothing",
			[]credits.Grant{usd("m", "100", unit("tokens", "0.001"))}, []credits.Line{creditLine("250")}, nil},
		{"a grant that expires mid-period pays nothing of that period",
			[]credits.Grant{usd("a", "100", expires(day(15)))}, []credits.Line{usage("25.00")}, nil},
		{"a grant expiring exactly at the period end covered the whole period and pays it",
			[]credits.Grant{usd("a", "100", expires(&periodEnd))}, []credits.Line{usage("25.00")},
			[]credits.Draw{draw("a", 0, "25.00", "25.00")}},
		{"the grant expiring soonest is drawn first, whatever its priority: $5 of it, then $2 of the later one",
			[]credits.Grant{usd("late", "5", expires(day(60)), prio(1)), usd("soon", "5", expires(day(40)), prio(9))}, []credits.Line{usage("7.00")},
			[]credits.Draw{draw("soon", 0, "5.00", "5.00"), draw("late", 0, "2.00", "2.00")}},
		{"a grant that never expires comes after those that do",
			[]credits.Grant{usd("forever", "5"), usd("expiring", "1", expires(day(40)), prio(5))}, []credits.Line{usage("3.00")},
			[]credits.Draw{draw("expiring", 0, "1.00", "1.00"), draw("forever", 0, "2.00", "2.00")}},
		{"with equal expiry, priority 1 comes before priority 2",
			[]credits.Grant{usd("p2", "100", prio(2)), usd("p1", "100", prio(1), created(5))}, []credits.Line{usage("150.00")},
			[]credits.Draw{draw("p1", 0, "100.00", "100.00"), draw("p2", 0, "50.00", "50.00")}},
		{"with equal expiry and priority, the older grant comes first",
			[]credits.Grant{usd("new", "100", created(2)), usd("old", "100", created(1))}, []credits.Line{usage("10.00")},
			[]credits.Draw{draw("old", 0, "10.00", "10.00")}},
		{"a voided grant and one awaiting payment are not drawn",
			[]credits.Grant{usd("v", "100", voided), usd("w", "100", awaitingPayment)}, []credits.Line{usage("10.00")}, nil},
		{"nothing is paid of a negative total: usage $10 with a $30 proration credit",
			[]credits.Grant{usd("a", "100", all)}, []credits.Line{usage("10.00"), fee("-30.00")}, nil},
		{"a proration credit caps what credit pays: $50 − $30 = $20 of the $50 usage line",
			[]credits.Grant{usd("a", "100")}, []credits.Line{usage("50.00"), fee("-30.00")},
			[]credits.Draw{draw("a", 0, "20.00", "20.00")}},
		{"$3.339 of money credit pays $3.33: a grant never pays more than it holds",
			[]credits.Grant{usd("a", "3.339")}, []credits.Line{usage("10.00")},
			[]credits.Draw{draw("a", 0, "3.33", "3.33")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := credits.Plan(c.grants, c.lines, domain.Currency("USD"), periodEnd)
			if len(got) != len(c.want) {
				t.Fatalf("draws %+v, want %+v", got, c.want)
			}
			for i := range got {
				g, w := got[i], c.want[i]
				if g.GrantID != w.GrantID || g.Line != w.Line || !g.Units.Equal(w.Units) || !g.Amount.Equal(w.Amount) {
					t.Errorf("draw %d = %s line %d %s units $%s, want %s line %d %s units $%s", i, g.GrantID, g.Line, g.Units, g.Amount,
						w.GrantID, w.Line, w.Units, w.Amount)
				}
			}
		})
	}
}
