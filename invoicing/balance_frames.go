package invoicing

import "time"

// frameEntry is a cached balanceFrame and the versions (tenant, customer)
// read before it was read.
type frameEntry struct {
	vt, vc     uint64
	stored     time.Time // wall clock
	frame      *balanceFrame
	refreshing bool // a newer read of it has been asked for
}

// sweepAtLeast is how many entries the cache holds before it first drops
// the ones past BalanceTTL.
const sweepAtLeast = 1024

// frame returns the customer's cached frame while neither the tenant's
// nor the customer's version has moved since it was read and it is
// younger than BalanceTTL, with the stamp a live answer computed from it
// carries: the frame's versions and the external id's current one, read
// together under the lock so that no change slips between them. refresh
// is true for the first caller to find it past half its TTL: that caller
// reads it anew in the background (refreshFrame), so that a frame in use
// is replaced before it expires instead of making requests wait for it.
func (c *BalanceCache) frame(tenant, customerID string) (f *balanceFrame, st balanceStamp, refresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := idKey(tenant, customerID)
	e, ok := c.frames[k]
	age := c.wall().Sub(e.stored)
	if !ok || e.vt != c.versions[tenant] || e.vc != c.versions[k] || age >= BalanceTTL {
		return nil, balanceStamp{}, false, false
	}
	if age >= BalanceTTL/2 && !e.refreshing {
		e.refreshing, refresh = true, true
		c.frames[k] = e
	}
	ext := e.frame.customer.ExternalID
	return e.frame, balanceStamp{tenant: tenant, customer: customerID, ext: ext, vt: e.vt, vc: e.vc, ve: c.versions[extKey(tenant, ext)]}, refresh, true
}

// putFrame stores a frame read after the versions in st (tenant and
// customer; its external id is not looked at) and after the wall time
// read; nothing is stored if either version moved meanwhile. Its
// BalanceTTL counts from read, the start of its reads.
func (c *BalanceCache) putFrame(st balanceStamp, read time.Time, f *balanceFrame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.vt != c.versions[st.tenant] || st.vc != c.versions[idKey(st.tenant, st.customer)] {
		return
	}
	c.sweepLocked()
	c.frames[idKey(st.tenant, st.customer)] = frameEntry{vt: st.vt, vc: st.vc, stored: read, frame: f}
}

// wallNow is the cache's wall clock.
func (c *BalanceCache) wallNow() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall()
}

// withUsage is st (the versions a frame was read after) with the external
// id's version read now, before the usage a balance reads from the frame:
// the stamp of that balance.
func (c *BalanceCache) withUsage(st balanceStamp, ext string) balanceStamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	st.ext, st.ve = ext, c.versions[extKey(st.tenant, ext)]
	return st
}

// sweepLocked drops answers and frames older than BalanceTTL (never served
// again) once the cache has doubled since the last sweep, so that memory
// follows the customers asked about in the last BalanceTTL, not all ever
// asked about.
func (c *BalanceCache) sweepLocked() {
	n := len(c.entries) + len(c.frames)
	if n < sweepAtLeast || n < 2*c.swept {
		return
	}
	now := c.wall()
	for k, e := range c.entries {
		if now.Sub(e.stored) >= BalanceTTL {
			delete(c.entries, k)
		}
	}
	for k, e := range c.frames {
		if now.Sub(e.stored) >= BalanceTTL {
			delete(c.frames, k)
		}
	}
	c.swept = len(c.entries) + len(c.frames)
}
