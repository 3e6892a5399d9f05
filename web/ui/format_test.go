package ui

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestMoney(t *testing.T) {
	cases := []struct {
		name, amount, currency, locale, want string
	}{
		{"dollars get the cents and grouping", "1234.5", "USD", "en-US", "$1,234.50"},
		{"an empty locale writes English numbers", "202.5", "usd", "", "$202.50"},
		{"a unit price keeps every digit it has", "0.0000025", "USD", "en", "$0.0000025"},
		{"a negative amount gets a minus before the sign", "-28", "USD", "en", "-$28.00"},
		{"German puts the euro after, with dot groups and a comma", "1234.5", "EUR", "de-DE", "1.234,50\u00a0€"},
		{"French groups with a narrow space", "1234567.891", "EUR", "fr", "1\u202f234\u202f567,891\u00a0€"},
		{"yen has no minor unit", "500", "JPY", "en", "¥500"},
		{"an unknown currency is written by its code", "19", "CHF", "en", "CHF\u00a019.00"},
		{"zero is written with its minor units", "0", "GBP", "en-GB", "£0.00"},
		{"a million groups twice", "1000000", "USD", "en", "$1,000,000.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Money(decimal.RequireFromString(c.amount), c.currency, c.locale); got != c.want {
				t.Errorf("Money(%s, %s, %s) = %q, want %q", c.amount, c.currency, c.locale, got, c.want)
			}
		})
	}
}

func TestQuantity(t *testing.T) {
	cases := []struct{ name, q, locale, want string }{
		{"whole numbers group by thousands", "12500", "en", "12,500"},
		{"fractions keep their digits and lose trailing zeros", "0.2500", "en", "0.25"},
		{"German groups with dots", "1000000.5", "de", "1.000.000,5"},
		{"small numbers are unchanged", "7", "", "7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Quantity(decimal.RequireFromString(c.q), c.locale); got != c.want {
				t.Errorf("Quantity(%s) = %q, want %q", c.q, got, c.want)
			}
		})
	}
}

func TestDatesAreWrittenInTheCustomersZone(t *testing.T) {
	at := time.Date(2026, 12, 1, 3, 30, 0, 0, time.UTC)
	if got := Date(at, "America/New_York"); got != "Nov 30, 2026" {
		t.Errorf("Date in New York = %q, want Nov 30, 2026 (still the previous day there)", got)
	}
	if got := DateTime(at, "Europe/Berlin"); got != "Dec 1, 2026, 04:30 CET" {
		t.Errorf("DateTime in Berlin = %q", got)
	}
	if got := Date(at, "Not/AZone"); got != "Dec 1, 2026" {
		t.Errorf("an unknown zone should read as UTC, got %q", got)
	}
	if got := Date(time.Time{}, "UTC"); got != "—" {
		t.Errorf("no time should read as a dash, got %q", got)
	}
}

func TestPeriodDatesShowTheDaysAHalfOpenPeriodCovers(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	cases := []struct{ name, start, end, zone, want string }{
		{"a month ends on its last day, not on the next first", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z", "Europe/Berlin", "Mar 1, 2026 – Mar 31, 2026"},
		{"a period inside one day is that day", "2026-03-05T09:00:00Z", "2026-03-05T17:00:00Z", "UTC", "Mar 5, 2026"},
		{"a period ending mid-day keeps that day", "2026-03-01T00:00:00Z", "2026-03-12T14:00:00Z", "UTC", "Mar 1, 2026 – Mar 12, 2026"},
		{"an open-ended period says from", "2026-03-01T00:00:00Z", "", "UTC", "from Mar 1, 2026"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PeriodDates(d(c.start), d(c.end), c.zone); got != c.want {
				t.Errorf("PeriodDates = %q, want %q", got, c.want)
			}
		})
	}
}
