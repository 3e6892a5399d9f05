package api

import (
	"net"

	"github.com/labstack/echo/v4"
)

// ipExtractor finds a request's client address: the connection's own,
// unless it comes from one of the trusted proxy networks (CIDRs), in which
// case X-Forwarded-For is read back to the first untrusted hop. Invalid
// CIDRs are skipped (settings validate them at start).
func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, cidr := range trusted {
		if _, n, err := net.ParseCIDR(cidr); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
