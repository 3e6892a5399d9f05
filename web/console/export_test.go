package console

// Routes exposes the route table to the tests: method, path, owned kind.
func Routes() []struct{ Method, Path, Owned string } {
	var out []struct{ Method, Path, Owned string }
	for _, r := range (&Console{}).routes() {
		out = append(out, struct{ Method, Path, Owned string }{r.method, r.path, r.owned})
	}
	return out
}
