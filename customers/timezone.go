package customers

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/customers/cycle"
	"gorm.io/gorm"
)

// TimezoneChange is one change of a customer's time zone, made at At. A
// customer's changes are kept so that its billing periods keep the
// boundaries they had (pricing.md, "Periods"; see cycle.ZoneChange).
type TimezoneChange struct {
	At   time.Time
	From string
	To   string
}

type timezoneChangeRow struct {
	TenantID     string
	CustomerID   string `gorm:"primaryKey"`
	Seq          int    `gorm:"primaryKey"`
	ChangedUs    int64
	FromTimezone string
	ToTimezone   string
}

func (timezoneChangeRow) TableName() string { return "customer_timezone_changes" }

// InitialLocation is the zone the customer had before any change.
func (c Customer) InitialLocation() *time.Location {
	if len(c.TimezoneChanges) == 0 {
		return c.Location()
	}
	return zoneOrUTC(c.TimezoneChanges[0].From)
}

// ZoneChanges are the customer's time-zone changes as the cycle takes them.
func (c Customer) ZoneChanges() []cycle.ZoneChange {
	if len(c.TimezoneChanges) == 0 {
		return nil
	}
	out := make([]cycle.ZoneChange, len(c.TimezoneChanges))
	for i, z := range c.TimezoneChanges {
		out[i] = cycle.ZoneChange{At: z.At, Location: zoneOrUTC(z.To)}
	}
	return out
}

func zoneOrUTC(name string) *time.Location {
	loc, err := calendar.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// recordTimezoneChange appends a change from the customer's zone to `to`
// at now, inside tx.
func recordTimezoneChange(tx *gorm.DB, c Customer, to string, now time.Time) error {
	var n int64
	if err := tx.Model(&timezoneChangeRow{}).Where("customer_id = ?", c.ID).Count(&n).Error; err != nil {
		return fmt.Errorf("count time-zone changes: %w", err)
	}
	from := c.Timezone
	if from == "" {
		from = "UTC"
	}
	r := timezoneChangeRow{TenantID: c.TenantID, CustomerID: c.ID, Seq: int(n) + 1, ChangedUs: now.UnixMicro(), FromTimezone: from, ToTimezone: to}
	if err := tx.Create(&r).Error; err != nil {
		return fmt.Errorf("record time-zone change: %w", err)
	}
	return nil
}

// withTimezoneChanges fills the customers' TimezoneChanges, oldest first.
func (s *Service) withTimezoneChanges(ctx context.Context, tenantID string, cs []Customer) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	var rows []timezoneChangeRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id IN ?", tenantID, ids).Order("customer_id, seq").Find(&rows).Error; err != nil {
		return fmt.Errorf("read time-zone changes: %w", err)
	}
	by := map[string][]TimezoneChange{}
	for _, r := range rows {
		by[r.CustomerID] = append(by[r.CustomerID], TimezoneChange{At: time.UnixMicro(r.ChangedUs).UTC(), From: r.FromTimezone, To: r.ToTimezone})
	}
	for i := range cs {
		cs[i].TimezoneChanges = by[cs[i].ID]
	}
	return nil
}
