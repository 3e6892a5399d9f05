package credits_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// A stored grant the code cannot read is an error (500 from the API, an
// error naming the table, row and column from the service), on both stores.
func TestCorruptStoredGrantIsAnError(t *testing.T) {
	apptest.Each(t, time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC), func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("credits")
		cus := s.Must(201, "POST", "/v1/customers", key, `{"external_id":"a","currency":"USD"}`).JSON()["id"].(string)
		g := s.Must(201, "POST", "/v1/customers/"+cus+"/credit_grants", key, `{"amount":"10.00"}`).JSON()
		id := g["id"].(string)
		if err := s.App.DB.Gorm.Exec(`UPDATE credit_grants SET applies_to = 'everything' WHERE id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
		if r := s.Do("GET", "/v1/customers/"+cus+"/credit_grants", key, nil); r.Status != 500 {
			t.Errorf("list grants with a corrupt row: status %d, want 500: %s", r.Status, r.Body)
		}
		var tenant string
		if err := s.App.DB.Gorm.Raw(`SELECT tenant_id FROM credit_grants WHERE id = ?`, id).Scan(&tenant).Error; err != nil {
			t.Fatal(err)
		}
		_, err := s.App.Services.Credits.List(context.Background(), tenant, cus)
		if want := "credit_grants row " + id + ", column applies_to"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("List: %v; want an error naming %q", err, want)
		}
	})
}
