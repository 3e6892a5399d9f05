package meters

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Event lists page by (timestamp, id), newest first; the cursor carries both.
func encodeEventCursor(e Event) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(e.Timestamp.UnixMicro(), 10) + ":" + e.ID))
}

func decodeEventCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", err
	}
	tsText, id, ok := strings.Cut(string(b), ":")
	if !ok {
		return 0, "", fmt.Errorf("bad cursor")
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	return ts, id, err
}
