package portal

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Portal serves the customer portal's pages.
type Portal struct {
	svc   Services
	kit   *ui.Kit
	pages map[string]*template.Template
}

// pageNames are the portal's pages, each templates/<name>.html with the
// shared parts (templates/parts.html).
var pageNames = []string{"overview", "invoices", "invoice", "credits", "advisor", "budgets", "signedout"}

// Mount returns the web.New mount that adds the portal's routes under
// /portal.
func Mount(svc Services) func(e *echo.Echo, kit *ui.Kit) {
	return func(e *echo.Echo, kit *ui.Kit) {
		p := &Portal{svc: svc, kit: kit, pages: map[string]*template.Template{}}
		for _, n := range pageNames {
			p.pages[n] = kit.MustParse(templateFS, "templates/parts.html", "templates/"+n+".html")
		}
		e.GET(Base+"/assets/*", echo.WrapHandler(http.StripPrefix(Base+"/", http.FileServer(http.FS(assetFS)))))
		e.GET(Base+"/signed_out", func(c echo.Context) error { return p.render(c, http.StatusOK, "signedout", base{}) })
		g := e.Group(Base, p.authenticate)
		g.GET("", p.overview, lagOK) // the bill and usage charts: live views (store.ReplicaOK)
		g.GET("/", p.overview, lagOK)
		g.GET("/bill", p.billPartial, lagOK)
		g.GET("/invoices", p.invoices)
		g.GET("/invoices/:id", p.invoice)
		g.GET("/credits", p.credits)
		g.GET("/advisor", p.advisor)
		g.GET("/budgets", p.budgets)
		g.POST("/budgets", p.createBudget)
		g.POST("/budgets/:id/delete", p.deleteBudget)
		g.POST("/sign_out", p.signOut)
	}
}

// lagOK lets the page's usage reads go to the read replica, if one is
// attached (TALLY_READ_DATABASE_URL): the bill and the usage charts are
// live views that accept replication lag; credits and invoices are not.
var lagOK = echo.WrapMiddleware(store.ReplicaOKHandler)

// render writes a page with the common data filled in.
func (p *Portal) render(c echo.Context, status int, name string, data any) error {
	return p.kit.Render(c, status, p.pages[name], data)
}

// signOut forgets the session in this browser (the token itself stays
// valid until it expires or is revoked: the link opens the portal again).
func (p *Portal) signOut(c echo.Context) error {
	p.kit.ClearCookie(c, cookieName, Base)
	return c.Redirect(http.StatusSeeOther, Base+"/signed_out")
}
