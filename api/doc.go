// Package api is Tally's HTTP face: it decodes requests, calls the domain
// packages and encodes their answers and errors. It holds no billing rule.
//
// Every route is registered through one table (routes.go) that also feeds the
// OpenAPI document at /openapi.json, so no route goes undescribed. Every
// error, whatever its origin, goes through writeError (errors.go), which maps
// domain error kinds to status codes and the contract's error JSON:
// malformed JSON 400, no or unknown key 401, a key not allowed 403, unknown
// id 404 (another tenant's ids are unknown too), conflicts 409, invalid
// values 422 with every field problem listed. An untyped error is a bug: it
// answers 500 and is logged.
//
// Every authenticated POST honours Idempotency-Key (idempotency.go, storage
// in package idempotency): a retry replays the first reply.
package api
