package api

// peerErrorDoc documents the error bodies of the compatibility routes,
// which follow each peer's SDK rather than Tally's Error: Lago's
// {"status","error","code","error_details"}, OpenMeter's RFC 7807 problem
// ({"type","title","status","detail"}) and Flexprice's
// {"success": false, "error": {…}}. It is any JSON object.
type peerErrorDoc map[string]any
