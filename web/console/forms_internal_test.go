package console

import (
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestTheNextPageKeepsTheFilters(t *testing.T) {
	cases := []struct{ name, target, cursor, want string }{
		{"the filters stay and the cursor moves on", "/console/invoices?status=draft&customer=cus_1&cursor=old", "inv_9", "/console/invoices?cursor=inv_9&customer=cus_1&status=draft"},
		{"a flash notice is not carried", "/console/meters?done=meter", "m_2", "/console/meters?cursor=m_2"},
		{"no cursor, no next page", "/console/plans", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ec := echo.New().NewContext(httptest.NewRequest("GET", tc.target, nil), httptest.NewRecorder())
			if got := nextURL(ec, tc.cursor); got != tc.want {
				t.Errorf("nextURL = %q, want %q", got, tc.want)
			}
		})
	}
}
