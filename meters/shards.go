package meters

import "sync"

// rollupShards is how many rollup rows one (series, customer, bucket) may
// be split into on Postgres: the most ingest transactions of one server
// that fold into the same bucket at once without waiting for each other's
// row locks. Readers merge every shard of a bucket.
const rollupShards = 8

// shardPool hands each of the store's own ingest transactions the lowest
// shard no other transaction of this process holds, so that a lone writer
// always writes shard 0 and n concurrent writers use shards 0..n-1 (rows
// of one bucket grow with concurrency, not with time). Writers of other
// processes may pick the same shard: they then wait on its row lock,
// which is slower but as exact. Rows of one transaction all go to one
// shard, in key order, so lock order stays global and deadlock-free.
type shardPool struct {
	mu   sync.Mutex
	busy []bool
}

func newShardPool(n int) *shardPool { return &shardPool{busy: make([]bool, n)} }

// acquire returns the lowest free shard and a function that frees it;
// when all are taken the extra writer shares shard 0 (and frees nothing).
func (p *shardPool) acquire() (int, func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, b := range p.busy {
		if !b {
			p.busy[i] = true
			return i, func() { p.mu.Lock(); p.busy[i] = false; p.mu.Unlock() }
		}
	}
	return 0, func() {}
}
