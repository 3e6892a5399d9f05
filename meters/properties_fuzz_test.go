package meters

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// parseV1 is ParseProperties as encoding/json alone decodes.
func parseV1(raw []byte) (Properties, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return Properties{}, nil
	}
	if raw[0] != '{' {
		return nil, errNotObject
	}
	var p Properties
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if p == nil {
		p = Properties{}
	}
	return p, nil
}

var errNotObject = errors.New("must be a JSON object")

// FuzzParseProperties: whatever object ParseProperties decodes, it decodes
// as encoding/json does, and it refuses what encoding/json refuses.
func FuzzParseProperties(f *testing.F) {
	for _, s := range []string{`{"model":"o1","tokens":5}`, `{"a":{"b":[1,2.50,"3"]},"c":null}`, `{"a":1,"a":2}`,
		`{"caf\u00e9":"x","\ud800":1}`, "{\"\xff\":1}", `{"a":"\xff"}`, `{}`, `null`, ``, `[1]`, `{"a":1`, ` {"a" : 1 } `,
		`{"A":1,"a":2}`, `{"n":1e400}`, `{"s":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := ParseProperties(raw)
		want, wantErr := parseV1(raw)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: ParseProperties error %v, encoding/json error %v", raw, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: ParseProperties gives %q, encoding/json %q", raw, got, want)
		}
	})
}
