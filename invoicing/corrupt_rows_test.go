package invoicing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

// A stored invoice the code cannot read is an error from the API (500), on
// both stores, never a panic or a silently emptied field.
func TestCorruptStoredInvoiceIsAnError(t *testing.T) {
	for _, c := range []struct {
		name, sql string
	}{
		{"tiers not JSON", `UPDATE invoice_lines SET tiers = '{not json' WHERE invoice_id = ?`},
		{"tier decimal not a number", `UPDATE invoice_lines SET tiers = '[{"tier":1,"quantity":"lots","unit_amount":"1","flat_amount":"0","amount":"1"}]' WHERE invoice_id = ?`},
		{"unknown status", `UPDATE invoices SET status = 'bogus' WHERE id = ?`},
	} {
		t.Run(c.name, func(t *testing.T) {
			apptest.Each(t, ts("2026-04-10T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
				w := newWorld(t, s)
				sub := w.subscribe("a", "pro", "2026-03-01T00:00:00Z", "")
				w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
				id := w.find(sub, "cycle")["id"].(string)
				if err := s.App.DB.Gorm.Exec(c.sql, id).Error; err != nil {
					t.Fatal(err)
				}
				for _, path := range []string{"/v1/invoices/" + id, "/v1/invoices?subscription=" + sub} {
					r := s.Do("GET", path, w.key, nil)
					if r.Status != 500 {
						t.Errorf("GET %s with a corrupt row: status %d, want 500: %s", path, r.Status, r.Body)
					}
				}
			})
		})
	}
}

// The converter's error names the table, the row and the column.
func TestCorruptStoredInvoiceErrorNamesTheRow(t *testing.T) {
	s := apptest.Start(t, store.SQLite, ts("2026-04-10T00:00:00Z"))
	w := newWorld(t, s)
	sub := w.subscribe("a", "pro", "2026-03-01T00:00:00Z", "")
	w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
	id := w.find(sub, "cycle")["id"].(string)
	if err := s.App.DB.Gorm.Exec(`UPDATE invoice_lines SET tiers = 'x' WHERE invoice_id = ? AND position = 0`, id).Error; err != nil {
		t.Fatal(err)
	}
	_, err := s.App.Services.Invoicing.Lookup(context.Background(), id)
	if err == nil || !strings.Contains(err.Error(), "invoice_lines row "+id+"/0, column tiers") {
		t.Fatalf("Lookup of a corrupt invoice: %v; want an error naming invoice_lines row %s/0, column tiers", err, id)
	}
}
