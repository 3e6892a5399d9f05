package api

import (
	"bytes"
	"net/http"
)

// recorder passes a reply through to the client and keeps a copy of its
// body (the idempotency middleware stores it for replays).
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
