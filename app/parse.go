package app

import (
	"errors"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/jobs"
)

// The parsers of setting values. Their errors only say "no": the caller
// names the setting and what it allows.
var errBad = errors.New("malformed")

func parseOnOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, errBad
}

func showOnOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseAddr(v string) (string, error) {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", err
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", errBad
	}
	return v, nil
}

// parseReadDatabaseURL takes empty (no replica) or a postgres:// url.
func parseReadDatabaseURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		return "", errBad
	}
	return parseDatabaseURL(v)
}

func parseDatabaseURL(v string) (string, error) {
	switch {
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		if _, err := url.Parse(v); err != nil {
			return "", err
		}
		return v, nil
	case strings.HasPrefix(v, "sqlite://"), strings.HasPrefix(v, "sqlite:"):
		if strings.TrimPrefix(strings.TrimPrefix(v, "sqlite://"), "sqlite:") == "" {
			return "", errBad
		}
		return v, nil
	}
	return "", errBad
}

// redactURL hides the password of a postgres:// URL.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return v
	}
	return u.Redacted()
}

func parseHTTPURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errBad
	}
	return v, nil
}

func parseCron(v string) (string, error) {
	if _, err := jobs.Parse(v); err != nil {
		return "", err
	}
	return v, nil
}

func parsePositiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errBad
	}
	return d, nil
}

func parseLogLevel(v string) (string, error) {
	switch l := strings.ToLower(v); l {
	case "debug", "info", "warn", "error":
		return l, nil
	}
	return "", errBad
}

func parseSize(v string) (string, error) {
	n, err := bytes.Parse(v)
	if err != nil || n <= 0 {
		return "", errBad
	}
	return v, nil
}

func parseRate(v string) (float64, error) {
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		return 0, errBad
	}
	return r, nil
}

// parseRunPageSize reads TALLY_RUN_PAGE_SIZE: 1 to invoicing.MaxRunPageSize.
func parseRunPageSize(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > invoicing.MaxRunPageSize {
		return 0, errBad
	}
	return n, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// parseCIDRs reads a comma-separated list of networks; empty means none.
func parseCIDRs(v string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(part); err != nil {
			return nil, err
		}
		out = append(out, part)
	}
	return out, nil
}

// parseOrigins reads a comma-separated list of browser origins
// (scheme://host[:port], no path); empty means none.
func parseOrigins(v string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimRight(strings.TrimSpace(part), "/")
		if part == "" {
			continue
		}
		u, err := url.Parse(part)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return nil, errBad
		}
		out = append(out, strings.ToLower(part))
	}
	return out, nil
}
