package credits_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
)

var now = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(n int) *time.Time { t := now.AddDate(0, 0, n); return &t }

func grant(id, remaining, rate string, prio int, expires *time.Time, createdDay int) credits.Grant {
	return credits.Grant{ID: id, Unit: "credits", ConversionRate: d(rate), Amount: d(remaining), Remaining: d(remaining), Priority: prio,
		ExpiresAt: expires, CreatedAt: now.AddDate(0, 0, createdDay-30)}
}

func TestPlan(t *testing.T) {
	cases := []struct {
		name   string
		grants []credits.Grant
		due    string
		want   []credits.Draw
	}{
		{"1,000 credits at $0.01 pay $10 of a $25 invoice",
			[]credits.Grant{grant("a", "1000", "0.01", 1, nil, 0)}, "25.00",
			[]credits.Draw{{GrantID: "a", Units: d("1000"), Amount: d("10.00")}}},
		{"a grant pays only what is due: $4.20 takes 420 credits",
			[]credits.Grant{grant("a", "1000", "0.01", 1, nil, 0)}, "4.20",
			[]credits.Draw{{GrantID: "a", Units: d("420"), Amount: d("4.20")}}},
		{"the grant expiring soonest is drawn first, whatever its priority",
			[]credits.Grant{grant("late", "500", "0.01", 1, day(20), 0), grant("soon", "500", "0.01", 9, day(5), 1)}, "7.00",
			[]credits.Draw{{GrantID: "soon", Units: d("500"), Amount: d("5.00")}, {GrantID: "late", Units: d("200"), Amount: d("2.00")}}},
		{"a grant that never expires comes after those that do",
			[]credits.Grant{grant("forever", "500", "0.01", 1, nil, 0), grant("expiring", "100", "0.01", 5, day(9), 1)}, "3.00",
			[]credits.Draw{{GrantID: "expiring", Units: d("100"), Amount: d("1.00")}, {GrantID: "forever", Units: d("200"), Amount: d("2.00")}}},
		{"with equal expiry, priority 1 comes before priority 2",
			[]credits.Grant{grant("p2", "100", "1", 2, nil, 0), grant("p1", "100", "1", 1, nil, 1)}, "150",
			[]credits.Draw{{GrantID: "p1", Units: d("100"), Amount: d("100.00")}, {GrantID: "p2", Units: d("50"), Amount: d("50.00")}}},
		{"with equal expiry and priority, the oldest grant comes first",
			[]credits.Grant{grant("new", "100", "1", 1, nil, 2), grant("old", "100", "1", 1, nil, 1)}, "10",
			[]credits.Draw{{GrantID: "old", Units: d("10"), Amount: d("10.00")}}},
		{"an expired grant is not drawn",
			[]credits.Grant{grant("gone", "100", "1", 1, day(0), 0)}, "10", nil},
		{"nothing is drawn for a zero or negative amount due",
			[]credits.Grant{grant("a", "100", "1", 1, nil, 0)}, "-5", nil},
		{"333.333 credits at $0.01 are worth $3.33: a grant never pays more than it holds",
			[]credits.Grant{grant("a", "333.333", "0.01", 1, nil, 0)}, "10",
			[]credits.Draw{{GrantID: "a", Units: d("333"), Amount: d("3.33")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := credits.Plan(c.grants, d(c.due), domain.Currency("USD"), now)
			if len(got) != len(c.want) {
				t.Fatalf("draws %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i].GrantID != c.want[i].GrantID || !got[i].Units.Equal(c.want[i].Units) || !got[i].Amount.Equal(c.want[i].Amount) {
					t.Errorf("draw %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}
