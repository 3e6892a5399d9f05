package domain

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// Resource id prefixes. Every server id is "<prefix>_<26 characters>".
const (
	PrefixTenant       = "ten"
	PrefixAPIKey       = "key"
	PrefixMeter        = "mtr"
	PrefixPlan         = "pln"
	PrefixPrice        = "prc"
	PrefixCustomer     = "cus"
	PrefixSubscription = "sub"
	PrefixInvoice      = "inv"
	PrefixInvoiceRun   = "run"
	PrefixEvent        = "evt"
	PrefixPortalToken  = "ptk"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

var idMu sync.Mutex
var lastMillis uint64
var seq uint16

// NewID returns a fresh id with the given type prefix. Ids sort by creation
// time (millisecond timestamp first, then a per-process sequence), so list
// pagination by id follows creation order; the rest is random.
func NewID(prefix string) string {
	var b [16]byte
	ms := uint64(time.Now().UnixMilli())
	idMu.Lock()
	if ms <= lastMillis {
		ms = lastMillis
		seq++
	} else {
		lastMillis = ms
		seq = 0
	}
	s := seq
	idMu.Unlock()
	binary.BigEndian.PutUint64(b[0:8], ms<<16|uint64(s))
	_, _ = rand.Read(b[8:])
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// HasPrefix reports whether id is of the type named by prefix.
func HasPrefix(id, prefix string) bool { return strings.HasPrefix(id, prefix+"_") }
