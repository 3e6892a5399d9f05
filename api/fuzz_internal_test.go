package api

import (
	"encoding/json"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

// eventDecoders are the decoders of one posted event: Tally's own, and each
// compatibility shape (Flexprice, OpenMeter's CloudEvent, Lago's event with
// its Unix-second timestamp).
var eventDecoders = map[string]func(json.RawMessage) (meters.EventInput, error){
	"tally": toEventInput,
	"flexprice": func(raw json.RawMessage) (meters.EventInput, error) {
		in, _, err := flexpriceInput(raw)
		return in, err
	},
	"cloudevent": cloudEventInput,
	"lago": func(raw json.RawMessage) (meters.EventInput, error) {
		var req lagoEventReq
		if err := decodeBytes(raw, &req); err != nil {
			return meters.EventInput{}, err
		}
		ts, err := parseLagoTimestamp(req.Timestamp)
		return meters.EventInput{ID: req.TransactionID, EventName: req.Code, Properties: req.Properties, Timestamp: ts}, err
	},
}

// FuzzEventDecode feeds arbitrary bytes to every event decoder. None may
// panic; every error is a domain error (a 4xx, never a 500); an accepted
// body is a valid UTF-8 JSON object, and an accepted timestamp lies in
// years 1–9999 (what every store can hold).
func FuzzEventDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"e1","event_name":"api.call","customer":"acme","timestamp":"2026-03-09T10:00:00Z","properties":{"n":"1"}}`,
		`{"event_id":"f1","event_name":"api.call","external_customer_id":"acme","properties":{"n":"2"},"timestamp":"2026-03-09T10:00:00Z"}`,
		`{"specversion":"1.0","id":"c1","type":"api.call","subject":"acme","time":"2026-03-09T10:00:00Z","data":{"n":3}}`,
		`{"transaction_id":"l1","external_subscription_id":"s1","code":"api.call","timestamp":1773050400,"properties":{"n":4}}`,
		`{"transaction_id":"l2","code":"x","timestamp":"1773050400.123"}`,
		`{"timestamp":"0001-01-01T00:00:00Z"}`, `{"timestamp":"9999-12-31T23:59:59Z"}`, `{"timestamp":1e400}`,
		`{"id":"\xff\xfe"}`, `{"id":1}`, `[]`, `null`, `{"properties":{"a":{"b":{"c":[1,2,{"d":null}]}}}}`,
		`{"id":"x","id":"y"}`, `{"id":"a\u0000b"}`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, dec := range eventDecoders {
			in, err := dec(json.RawMessage(body))
			if err != nil {
				if domain.KindOf(err) == "" {
					t.Fatalf("%s: %q: error %v is not a domain error (it would answer 500)", name, body, err)
				}
				continue
			}
			if !json.Valid(body) || !utf8.Valid(body) {
				t.Fatalf("%s accepted a body that is not valid UTF-8 JSON: %q", name, body)
			}
			var probe map[string]json.RawMessage
			if json.Unmarshal(body, &probe) != nil {
				t.Fatalf("%s accepted a body that is not an object: %q", name, body)
			}
			if in.Timestamp != nil && name != "lago" {
				if y := in.Timestamp.UTC().Year(); y < 1 || y > 9999 {
					t.Fatalf("%s accepted the timestamp %s (year %d): %q", name, in.Timestamp, y, body)
				}
			}
		}
	})
}

// FuzzLagoTimestamp: Lago's Unix-second timestamps. No panic; an accepted
// one is within ±253402300799 s; an integer is read exactly.
func FuzzLagoTimestamp(f *testing.F) {
	for _, s := range []string{`1773050400`, `"1773050400"`, `"1773050400.123456"`, `1773050400.9999999`, `-1`, `0`,
		`253402300799`, `253402300800`, `1e400`, `"2026-03-09T10:00:00Z"`, `"abc"`, `null`, `""`, `"   "`, `-0.0000001`, `9223372036854775807`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ts, err := parseLagoTimestamp(json.RawMessage(raw))
		if err != nil {
			if domain.KindOf(err) != domain.KindValidation {
				t.Fatalf("%q: error %v is not a validation error", raw, err)
			}
			return
		}
		if ts == nil {
			return
		}
		if n, perr := strconv.ParseInt(raw, 10, 64); perr == nil && ts.Unix() != n {
			t.Fatalf("%q read as %d", raw, ts.Unix())
		}
		if raw != "" && raw[0] != '"' && (ts.Unix() > 253402300799 || ts.Unix() < -253402300799) {
			t.Fatalf("%q accepted as %s, out of range", raw, ts)
		}
	})
}

// FuzzDecimalValue decodes request decimals (a credit grant's amount and
// conversion rate, as a JSON string or number). No panic; errors are
// validation errors; an accepted decimal prints back to the same value.
func FuzzDecimalValue(f *testing.F) {
	for _, s := range []string{`"10.00"`, `10`, `"0.000000000001"`, `1e400`, `"1e400"`, `-5`, `"-0"`, `"NaN"`, `"Infinity"`, `"١٢"`,
		`"1_000"`, `" 1"`, `"0x10"`, `true`, `{}`, `[]`, `"` + "\xff" + `"`, `"99999999999999999999999999999999999999.9"`, `1E-400`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		body := []byte(`{"amount":` + v + `,"conversion_rate":` + v + `}`)
		var req grantReq
		err := decodeBytes(body, &req)
		if err != nil {
			if k := domain.KindOf(err); k != domain.KindValidation && k != domain.KindMalformed {
				t.Fatalf("%s: error %v (%q) is neither validation nor malformed", body, err, k)
			}
			return
		}
		for _, d := range []*decimal.Decimal{req.Amount, req.ConversionRate} {
			if d == nil {
				continue
			}
			back, perr := decimal.NewFromString(d.String())
			if perr != nil || !back.Equal(*d) {
				t.Fatalf("%s: decimal %s does not print back (%v)", body, d, perr)
			}
		}
	})
}
