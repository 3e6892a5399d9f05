package plans_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// A stored plan or price the code cannot read is an error (500 from the
// API, an error naming the table, row and column from the service), on both
// stores, never a panic or silently dropped tiers or filters.
func TestCorruptStoredPlanIsAnError(t *testing.T) {
	for _, c := range []struct {
		name, sql, column string
	}{
		{"tiers not JSON", `UPDATE prices SET tiers = '[{' WHERE plan_id = ?`, "prices row %s, column tiers"},
		{"tier decimal not a number", `UPDATE prices SET tiers = '[{"up_to":"five","unit_amount":"1","flat_amount":"0"}]' WHERE plan_id = ?`, "prices row %s, column tiers"},
		{"filters not JSON", `UPDATE prices SET filters = '{"region":' WHERE plan_id = ?`, "prices row %s, column filters"},
		{"unknown interval", `UPDATE plans SET interval = 'fortnight' WHERE id = ?`, "plans row %s, column interval"},
	} {
		t.Run(c.name, func(t *testing.T) {
			apptest.Each(t, time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC), func(t *testing.T, s *apptest.Server) {
				key := s.NewTenant("plans")
				s.Must(201, "POST", "/v1/meters", key, `{"key":"calls","event_name":"call","aggregation":{"type":"count"},"unit":"calls"}`)
				plan := s.Must(201, "POST", "/v1/plans", key, `{"key":"tiered","currency":"USD","interval":"month","prices":[
					{"key":"call","type":"usage","meter":"calls","model":"tiered","tier_mode":"graduated","tiers":[{"up_to":"5","unit_amount":"1"},{"up_to":null,"unit_amount":"0.25","flat_amount":"2"}]}]}`).JSON()
				planID := plan["id"].(string)
				priceID := plan["prices"].([]any)[0].(map[string]any)["id"].(string)
				if err := s.App.DB.Gorm.Exec(c.sql, planID).Error; err != nil {
					t.Fatal(err)
				}
				for _, path := range []string{"/v1/plans/" + planID, "/v1/plans"} {
					if r := s.Do("GET", path, key, nil); r.Status != 500 {
						t.Errorf("GET %s with a corrupt row: status %d, want 500: %s", path, r.Status, r.Body)
					}
				}
				var tenant string
				if err := s.App.DB.Gorm.Raw(`SELECT tenant_id FROM plans WHERE id = ?`, planID).Scan(&tenant).Error; err != nil {
					t.Fatal(err)
				}
				_, err := s.App.Services.Plans.Get(context.Background(), tenant, planID)
				id := priceID
				if strings.HasPrefix(c.column, "plans ") {
					id = planID
				}
				if want := strings.Replace(c.column, "%s", id, 1); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Get: %v; want an error naming %q", err, want)
				}
			})
		})
	}
}
