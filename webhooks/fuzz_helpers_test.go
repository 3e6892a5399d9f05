package webhooks_test

import (
	"strconv"
	"strings"
)

func timestamps(header string) []int64 {
	var out []int64
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && k == "t" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
