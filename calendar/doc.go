// Package calendar is Tally's calendar-day math in a time zone: dates with
// no zone, the first instant of a local day, the days a period touches and
// a period split into its days, and the billing intervals (Interval) that
// plans are sold by and customers/cycle cuts periods by. It is a leaf: pure values, no database, no
// clock, and it imports nothing of Tally's but domain, so meters (unit_days,
// daily usage series), customers (billing periods, trials) and plans can all
// use the same answer.
//
// "00:00 local" means the first instant of that calendar day. Where a zone
// skips midnight (America/Santiago in September jumps from 00:00 to 01:00)
// the day begins at the transition; where midnight happens twice
// (America/Havana in November falls back from 01:00 to 00:00) the day begins
// at the first one; a date a zone skipped entirely (Pacific/Apia,
// 2011-12-30) has no instant and is touched by no period. Days are not
// always 24 hours long (23, 25, or 23.5 hours on Lord Howe Island). All
// instants returned are in UTC; a nil *time.Location means UTC.
package calendar
