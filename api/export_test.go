package api

// RouteInfo is one row of the server's route table, for tests in api_test
// that derive their cases from it (the isolation matrix, the HTTP fuzz).
type RouteInfo struct {
	Method, Path string
	Access       Access
	Request      string   // component schema of the body, "" for none
	Query        []string // query parameter names
}

// RouteTable returns the routes the server registered, in order (HEAD
// twins of GET routes included).
func RouteTable(s *Server) []RouteInfo {
	out := make([]RouteInfo, 0, len(s.routes))
	for _, r := range s.routes {
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Access: r.Access, Request: r.Request, Query: r.Query})
	}
	return out
}
