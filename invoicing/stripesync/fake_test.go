package stripesync_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeStripe is a recording fake of the few Stripe endpoints the Syncer
// calls: customers, invoices (create, list, read, finalize) and invoice items
// (create, update, delete, list). Like Stripe, it honours idempotency keys
// (the same key with the same parameters replays the first answer and makes
// nothing; with other parameters it is a 400 idempotency_error), refuses
// changes to finalized invoices and items of another customer or currency.
// It records every request, and injects faults at chosen calls: a timeout
// after the work was done (the answer is lost), a 429, a 500 or a 400.
type fakeStripe struct {
	srv *httptest.Server

	mu        sync.Mutex
	requests  []request
	next      int
	customers map[string]map[string]any
	invoices  map[string]map[string]any
	items     map[string]map[string]any
	idem      map[string]idemEntry
	faults    []*fault
	counts    map[string]int
}

// request is one request as the fake saw it.
type request struct {
	Op       string // "POST /v1/invoiceitems/{id}"
	Method   string
	Path     string
	Key      string // Idempotency-Key
	Form     url.Values
	Status   int    // the answer; 0 when the client was left hanging
	Fault    string // the injected fault, if any
	Replayed bool   // answered from the idempotency cache
	At       time.Time
}

type idemEntry struct {
	sig    string
	status int
	body   []byte
}

// fault is injected at the nth request (counting retries) of op.
type fault struct {
	op   string
	nth  int
	kind string // "timeout", "429", "500", "400"
}

func newFakeStripe(t testing.TB) *fakeStripe {
	f := &fakeStripe{customers: map[string]map[string]any{}, invoices: map[string]map[string]any{},
		items: map[string]map[string]any{}, idem: map[string]idemEntry{}, counts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the base to give the Syncer as APIBase.
func (f *fakeStripe) URL() string { return f.srv.URL }

// failAt injects a fault at the nth request of op (1-based, retries count).
func (f *fakeStripe) failAt(op string, nth int, kind string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{op: op, nth: nth, kind: kind})
}

// clearFaults drops the faults not yet triggered.
func (f *fakeStripe) clearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// forgetKeys drops the idempotency cache, as Stripe does after 24 hours.
func (f *fakeStripe) forgetKeys() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.idem = map[string]idemEntry{}
}

// log returns the requests seen so far (of the ops given, or all).
func (f *fakeStripe) log(ops ...string) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.requests {
		if len(ops) == 0 || contains(ops, r.Op) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeStripe) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// objectSeq numbers the objects of every fake, so that Stripe ids stay
// unique across the fakes of one test database.
var objectSeq atomic.Int64

var idSegment = regexp.MustCompile(`/(cus|in|ii)_[A-Za-z0-9]+`)

func opOf(method, path string) string {
	return method + " " + idSegment.ReplaceAllString(path, "/{id}")
}

func (f *fakeStripe) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	if r.Method == http.MethodGet {
		form = r.URL.Query()
	}
	op := opOf(r.Method, r.URL.Path)
	key := r.Header.Get("Idempotency-Key")

	f.mu.Lock()
	f.counts[op]++
	rec := request{Op: op, Method: r.Method, Path: r.URL.Path, Key: key, Form: form, At: time.Now()}
	var inject string
	for _, ft := range f.faults {
		if ft.op == op && ft.nth == f.counts[op] {
			inject = ft.kind
		}
	}
	rec.Fault = inject
	switch inject {
	case "429":
		rec.Status = 429
		f.requests = append(f.requests, rec)
		f.mu.Unlock()
		writeJSON(w, 429, stripeErr("invalid_request_error", "rate_limit", "Too many requests hit the API too quickly."))
		return
	case "500":
		rec.Status = 500
		f.requests = append(f.requests, rec)
		f.mu.Unlock()
		writeJSON(w, 500, stripeErr("api_error", "", "An unknown error occurred."))
		return
	case "400":
		rec.Status = 400
		f.requests = append(f.requests, rec)
		f.mu.Unlock()
		writeJSON(w, 400, stripeErr("invalid_request_error", "parameter_invalid", "Injected bad request."))
		return
	}
	sig := op + "?" + canonical(form)
	var status int
	var out []byte
	if e, ok := f.idem[key]; ok && key != "" && r.Method == http.MethodPost {
		if e.sig != sig {
			status, out = 400, mustJSON(stripeErr("idempotency_error", "",
				"Keys for idempotent requests can only be used with the same parameters they were first used with."))
		} else {
			status, out = e.status, e.body
			rec.Replayed = true
			w.Header().Set("Idempotent-Replayed", "true")
		}
	} else {
		var v any
		status, v = f.route(r.Method, r.URL.Path, form)
		out = mustJSON(v)
		if key != "" && r.Method == http.MethodPost && status < 300 {
			f.idem[key] = idemEntry{sig: sig, status: status, body: out}
		}
	}
	if inject == "timeout" {
		// The work is done (and cached under the key) but the answer is
		// lost: hang until the client gives up.
		f.requests = append(f.requests, rec)
		f.mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		return
	}
	rec.Status = status
	f.requests = append(f.requests, rec)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

func canonical(form url.Values) string { return form.Encode() }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(mustJSON(v))
}

func stripeErr(typ, code, msg string) map[string]any {
	e := map[string]any{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	return map[string]any{"error": e}
}

func metadataOf(form url.Values) map[string]any {
	md := map[string]any{}
	for k, v := range form {
		if strings.HasPrefix(k, "metadata[") && strings.HasSuffix(k, "]") {
			md[k[len("metadata["):len(k)-1]] = v[0]
		}
	}
	return md
}

func list(url string, data []any) map[string]any {
	if data == nil {
		data = []any{}
	}
	return map[string]any{"object": "list", "url": url, "has_more": false, "data": data}
}

// route does the work of one request, under f.mu.
func (f *fakeStripe) route(method, path string, form url.Values) (int, any) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	missing := func(what, id string) (int, any) {
		return 404, stripeErr("invalid_request_error", "resource_missing", fmt.Sprintf("No such %s: '%s'", what, id))
	}
	bad := func(msg string) (int, any) { return 400, stripeErr("invalid_request_error", "", msg) }
	f.next = int(objectSeq.Add(1))
	switch {
	case method == "POST" && path == "/v1/customers":
		id := fmt.Sprintf("cus_F%d", f.next)
		c := map[string]any{"id": id, "object": "customer", "email": form.Get("email"), "name": form.Get("name"),
			"description": form.Get("description"), "metadata": metadataOf(form)}
		f.customers[id] = c
		return 200, c
	case method == "GET" && path == "/v1/customers":
		var data []any
		for _, id := range sortedKeys(f.customers) {
			if c := f.customers[id]; form.Get("email") == "" || c["email"] == form.Get("email") {
				data = append(data, c)
			}
		}
		return 200, list(path, data)
	case method == "POST" && path == "/v1/invoices":
		cus := form.Get("customer")
		if f.customers[cus] == nil {
			return missing("customer", cus)
		}
		if form.Get("currency") == "" || form.Get("currency") != strings.ToLower(form.Get("currency")) {
			return bad("currency must be a lower-case ISO code")
		}
		id := fmt.Sprintf("in_F%d", f.next)
		inv := map[string]any{"id": id, "object": "invoice", "customer": cus, "currency": form.Get("currency"), "status": "draft",
			"collection_method": form.Get("collection_method"), "auto_advance": form.Get("auto_advance") == "true",
			"pending_invoice_items_behavior": form.Get("pending_invoice_items_behavior"),
			"description":                    form.Get("description"), "metadata": metadataOf(form)}
		if d := form.Get("days_until_due"); d != "" {
			n, _ := strconv.Atoi(d)
			inv["days_until_due"] = n
		}
		f.invoices[id] = inv
		return 200, inv
	case method == "GET" && path == "/v1/invoices":
		var data []any
		for _, id := range sortedKeys(f.invoices) {
			if inv := f.invoices[id]; form.Get("customer") == "" || inv["customer"] == form.Get("customer") {
				data = append(data, inv)
			}
		}
		return 200, list(path, data)
	case len(parts) == 3 && parts[1] == "invoices" && method == "GET":
		inv := f.invoices[parts[2]]
		if inv == nil {
			return missing("invoice", parts[2])
		}
		return 200, inv
	case len(parts) == 4 && parts[1] == "invoices" && parts[3] == "finalize" && method == "POST":
		inv := f.invoices[parts[2]]
		if inv == nil {
			return missing("invoice", parts[2])
		}
		if inv["status"] != "draft" {
			return bad("This invoice is already finalized, you can't re-finalize a non-draft invoice.")
		}
		inv["status"] = "open"
		if f.totalOf(parts[2]) == 0 {
			inv["status"] = "paid"
		}
		inv["auto_advance"] = form.Get("auto_advance") == "true"
		return 200, inv
	case len(parts) == 4 && parts[1] == "invoices" && method == "POST" && (parts[3] == "void" || parts[3] == "pay" || parts[3] == "mark_uncollectible"):
		inv := f.invoices[parts[2]]
		if inv == nil {
			return missing("invoice", parts[2])
		}
		want := map[string]string{"void": "void", "pay": "paid", "mark_uncollectible": "uncollectible"}[parts[3]]
		if inv["status"] != "open" && !(parts[3] == "pay" && inv["status"] == "uncollectible") {
			return bad("You can only " + parts[3] + " an open invoice; this one is " + fmt.Sprint(inv["status"]) + ".")
		}
		inv["status"] = want
		return 200, inv
	case len(parts) == 3 && parts[1] == "invoices" && method == "DELETE":
		inv := f.invoices[parts[2]]
		if inv == nil {
			return missing("invoice", parts[2])
		}
		if inv["status"] != "draft" {
			return bad("You can only delete draft invoices.")
		}
		delete(f.invoices, parts[2])
		return 200, map[string]any{"id": parts[2], "object": "invoice", "deleted": true}
	case method == "POST" && path == "/v1/invoiceitems":
		inv := f.invoices[form.Get("invoice")]
		switch {
		case form.Get("customer") == "" || form.Get("currency") == "" || form.Get("amount") == "":
			return bad("customer, currency and amount are required")
		case inv == nil:
			return missing("invoice", form.Get("invoice"))
		case inv["status"] != "draft":
			return bad("You can only add invoice items to draft invoices.")
		case inv["customer"] != form.Get("customer"):
			return bad("The invoice belongs to another customer.")
		case inv["currency"] != form.Get("currency"):
			return bad("The currency of the item does not match the invoice's.")
		}
		amount, err := strconv.ParseInt(form.Get("amount"), 10, 64)
		if err != nil {
			return bad("amount must be an integer")
		}
		id := fmt.Sprintf("ii_F%d", f.next)
		it := map[string]any{"id": id, "object": "invoiceitem", "amount": amount, "currency": form.Get("currency"),
			"customer": form.Get("customer"), "description": form.Get("description"), "invoice": form.Get("invoice"),
			"metadata": metadataOf(form), "seq": f.next}
		if s := form.Get("period[start]"); s != "" {
			st, _ := strconv.ParseInt(s, 10, 64)
			en, _ := strconv.ParseInt(form.Get("period[end]"), 10, 64)
			it["period"] = map[string]any{"start": st, "end": en}
		}
		f.items[id] = it
		return 200, it
	case method == "GET" && path == "/v1/invoiceitems":
		var data []any
		for _, id := range sortedKeys(f.items) {
			if it := f.items[id]; form.Get("invoice") == "" || it["invoice"] == form.Get("invoice") {
				data = append(data, it)
			}
		}
		return 200, list(path, data)
	case len(parts) == 3 && parts[1] == "invoiceitems" && method == "GET":
		it := f.items[parts[2]]
		if it == nil {
			return missing("invoiceitem", parts[2])
		}
		return 200, it
	case len(parts) == 3 && parts[1] == "invoiceitems" && (method == "POST" || method == "DELETE"):
		it := f.items[parts[2]]
		if it == nil {
			return missing("invoiceitem", parts[2])
		}
		if inv := f.invoices[it["invoice"].(string)]; inv != nil && inv["status"] != "draft" {
			return bad("Invoice items of a finalized invoice cannot change.")
		}
		if method == "DELETE" {
			delete(f.items, parts[2])
			return 200, map[string]any{"id": parts[2], "object": "invoiceitem", "deleted": true}
		}
		if a := form.Get("amount"); a != "" {
			n, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return bad("amount must be an integer")
			}
			it["amount"] = n
		}
		if d := form.Get("description"); d != "" {
			it["description"] = d
		}
		for k, v := range metadataOf(form) {
			it["metadata"].(map[string]any)[k] = v
		}
		return 200, it
	}
	return 404, stripeErr("invalid_request_error", "", "Unrecognized request URL ("+method+" "+path+")")
}

func (f *fakeStripe) totalOf(invoiceID string) int64 {
	var sum int64
	for _, it := range f.items {
		if it["invoice"] == invoiceID {
			sum += it["amount"].(int64)
		}
	}
	return sum
}

func sortedKeys(m map[string]map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return seqOf(out[i]) < seqOf(out[j]) })
	return out
}

func seqOf(id string) int {
	_, n, _ := strings.Cut(id, "_F")
	i, _ := strconv.Atoi(n)
	return i
}

// stripeInvoice is a Stripe invoice as the fake holds it, with its items in
// line order.
type stripeInvoice struct {
	ID       string
	Customer string
	Currency string
	Status   string
	Fields   map[string]any
	Items    []stripeItem
}

type stripeItem struct {
	ID          string
	Amount      int64
	Description string
	Position    string
	Metadata    map[string]any
}

// invoicesOf returns the Stripe invoices whose metadata names a Tally
// invoice.
func (f *fakeStripe) invoicesOf(tallyID string) []stripeInvoice {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []stripeInvoice
	for _, id := range sortedKeys(f.invoices) {
		inv := f.invoices[id]
		if inv["metadata"].(map[string]any)["tally_invoice_id"] != tallyID {
			continue
		}
		si := stripeInvoice{ID: id, Customer: inv["customer"].(string), Currency: inv["currency"].(string), Status: inv["status"].(string), Fields: inv}
		for _, iid := range sortedKeys(f.items) {
			it := f.items[iid]
			if it["invoice"] != id {
				continue
			}
			md := it["metadata"].(map[string]any)
			pos, _ := md["tally_line_position"].(string)
			si.Items = append(si.Items, stripeItem{ID: iid, Amount: it["amount"].(int64), Description: it["description"].(string), Position: pos, Metadata: md})
		}
		sort.SliceStable(si.Items, func(i, j int) bool {
			a, _ := strconv.Atoi(si.Items[i].Position)
			b, _ := strconv.Atoi(si.Items[j].Position)
			return a < b
		})
		out = append(out, si)
	}
	return out
}

// customersOf returns the Stripe customers whose metadata names a Tally
// customer.
func (f *fakeStripe) customersOf(tallyID string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, id := range sortedKeys(f.customers) {
		if c := f.customers[id]; c["metadata"].(map[string]any)["tally_customer_id"] == tallyID {
			out = append(out, c)
		}
	}
	return out
}

// strayItems counts items naming a Tally invoice that sit on no invoice of
// it (there should be none).
func (f *fakeStripe) strayItems(tallyID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, it := range f.items {
		if it["metadata"].(map[string]any)["tally_invoice_id"] != tallyID {
			continue
		}
		inv := f.invoices[it["invoice"].(string)]
		if inv == nil || inv["metadata"].(map[string]any)["tally_invoice_id"] != tallyID {
			n++
		}
	}
	return n
}

// setInvoiceStatus changes a Stripe invoice behind the Syncer's back.
func (f *fakeStripe) setInvoiceStatus(id, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invoices[id]["status"] = status
}

// deleteItem removes an item behind the Syncer's back (by hand in the
// dashboard).
func (f *fakeStripe) deleteItem(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.items, id)
}
