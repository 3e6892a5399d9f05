package invoicing

import (
	"sync"
	"time"

	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
)

// BalanceTTL is how long (wall time) a cached live balance, or the frame
// it is computed from, may be served: the bound on how stale a write made
// by another process (which notifies only its own cache) can leave them.
const BalanceTTL = 2 * time.Second

// BalanceCache holds live credit balances (credit_balance without at, or
// at = now) per (tenant, customer). The rule that keeps it exact:
//
//   - Only a live answer is cached, and it is served only while the
//     tenant's now lies in [computed, until) and for at most BalanceTTL of
//     wall time. until is the first instant after computed at which time
//     alone could change the answer: the next 15-minute UTC boundary (every
//     local midnight, hence every period and unit_days day boundary, falls on
//     one, in every zone), a grant's expiry, a subscription's start, trial
//     end or end, and the latest ingested event still ahead of now.
//   - Every write that can change a balance notifies the cache after it
//     commits (domain.Notifier: ingestion per customer external id, grants,
//     invoice drafts, finalizations, voids, payments, regenerations,
//     subscriptions, cancellations, plan changes, customer edits; plan and
//     meter edits for the whole tenant). A notification bumps a version; an
//     answer is stored with the versions read before its computation
//     started and served only while they are unchanged, so a computation
//     racing a write is never served after that write.
//   - Below the answers it keeps each customer's balanceFrame: what a
//     balance reads except usage. A frame is stored with the tenant's and
//     the customer's versions read before it was read (never the external
//     id's: ingestion cannot change a frame) and reused only while they
//     are unchanged and for at most BalanceTTL of wall time. It holds no
//     answer, only stored data; what time selects is decided anew by each
//     computation from it, so the clock never invalidates a frame. After an
//     ingestion a balance is computed from the cached frame and usage read
//     afresh, and stamped with the frame's versions and the external id's
//     version read before that usage.
type BalanceCache struct {
	mu       sync.Mutex
	versions map[string]uint64    // "t\x00id\x00…", "t\x00ext\x00…", "t": bumped by changes
	ahead    map[string]time.Time // "t\x00ext\x00…": latest event timestamp ingested ahead of now
	entries  map[string]balanceEntry
	frames   map[string]frameEntry // "t\x00id\x00…"
	swept    int                   // len(entries) + len(frames) after the last sweep
	wall     func() time.Time
}

type balanceEntry struct {
	stamp           balanceStamp
	computed, until time.Time // tenant clock
	stored          time.Time // wall clock
	units           []credits.UnitBalance
	customer        customers.Customer // as its frame read it
}

// balanceStamp is the versions a computation started from.
type balanceStamp struct {
	tenant, customer, ext string
	vt, vc, ve            uint64
}

// NewBalanceCache returns an empty cache. It is the domain.Notifier that
// every service whose committed changes can move a balance is built with
// (meters, plans, customers, credits), and invoicing.NewService's balances.
func NewBalanceCache() *BalanceCache {
	return &BalanceCache{versions: map[string]uint64{}, ahead: map[string]time.Time{}, entries: map[string]balanceEntry{},
		frames: map[string]frameEntry{}, wall: time.Now}
}

func idKey(tenant, id string) string   { return tenant + "\x00id\x00" + id }
func extKey(tenant, ext string) string { return tenant + "\x00ext\x00" + ext }

// Changed drops what the cache holds for the change's customer (or the
// whole tenant).
func (c *BalanceCache) Changed(ch domain.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case ch.CustomerID == "" && ch.ExternalID == "":
		c.versions[ch.TenantID]++
	default:
		if ch.CustomerID != "" {
			k := idKey(ch.TenantID, ch.CustomerID)
			c.versions[k]++
			delete(c.frames, k)
		}
		if ch.ExternalID != "" {
			k := extKey(ch.TenantID, ch.ExternalID)
			c.versions[k]++
			if ch.EventsUntil.After(c.ahead[k]) {
				c.ahead[k] = ch.EventsUntil
			}
		}
	}
}

// get returns the cached live balance of the customer at now, and the
// customer, if any.
func (c *BalanceCache) get(tenant, customerID string, now time.Time) ([]credits.UnitBalance, customers.Customer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[idKey(tenant, customerID)]
	if !ok {
		return nil, customers.Customer{}, false
	}
	if e.stamp != c.stampLocked(tenant, customerID, e.stamp.ext) || now.Before(e.computed) || !now.Before(e.until) ||
		c.wall().Sub(e.stored) >= BalanceTTL {
		return nil, customers.Customer{}, false
	}
	return e.units, e.customer, true
}

// stamp reads the versions before a computation.
func (c *BalanceCache) stamp(tenant, customerID, ext string) balanceStamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stampLocked(tenant, customerID, ext)
}

func (c *BalanceCache) stampLocked(tenant, customerID, ext string) balanceStamp {
	return balanceStamp{tenant: tenant, customer: customerID, ext: ext,
		vt: c.versions[tenant], vc: c.versions[idKey(tenant, customerID)], ve: c.versions[extKey(tenant, ext)]}
}

// put stores a live balance computed at computed, valid until until, from
// the versions in st; nothing is stored if a change came in meanwhile.
func (c *BalanceCache) put(st balanceStamp, computed, until time.Time, units []credits.UnitBalance, cu customers.Customer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st != c.stampLocked(st.tenant, st.customer, st.ext) {
		return
	}
	if a := c.ahead[extKey(st.tenant, st.ext)]; a.After(computed) && a.Before(until) {
		until = a
	}
	c.sweepLocked()
	c.entries[idKey(st.tenant, st.customer)] = balanceEntry{stamp: st, computed: computed, until: until, stored: c.wall(), units: units, customer: cu}
}

// changed tells the balance cache of a committed change of one customer's
// invoices ("" customer: the whole tenant).
func (s *Service) changed(tenantID, customerID string) {
	s.balances.Changed(domain.Change{TenantID: tenantID, CustomerID: customerID})
}
