package domain

import (
	"sort"
	"strings"
	"testing"
)

func TestNewID(t *testing.T) {
	const n = 2000
	ids := make([]string, n)
	seen := map[string]bool{}
	for i := range ids {
		ids[i] = NewID(PrefixInvoice)
		if seen[ids[i]] {
			t.Fatalf("duplicate id %s", ids[i])
		}
		seen[ids[i]] = true
	}
	for _, id := range ids[:5] {
		if !strings.HasPrefix(id, "inv_") || len(id) != len("inv_")+26 || id != strings.ToLower(id) {
			t.Errorf("id %q is not inv_ and 26 lower-case characters", id)
		}
		if !HasPrefix(id, PrefixInvoice) || HasPrefix(id, PrefixInvoiceRun) || HasPrefix(id, "in") {
			t.Errorf("HasPrefix(%q) is wrong", id)
		}
	}
	if !sort.StringsAreSorted(ids) {
		t.Error("ids made one after another do not sort in creation order")
	}
}
