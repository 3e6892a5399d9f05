package console

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/tenants"
)

type keysPage struct {
	base
	Form formState
	Keys []tenants.APIKey
	Next string
	// Created and Secret are the key just created, its secret shown once.
	Created *tenants.APIKey
	Secret  string
	// Current is the key this session was opened with.
	Current string
}

func (c *Console) keysPage(ec echo.Context, se *session, status int, p keysPage) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	l, err := c.svc.Tenants.ListKeys(ctx, se.TenantID, pageOf(ec, 100))
	if err != nil {
		return err
	}
	p.base, p.Keys, p.Next, p.Current = c.newBase(ec, se, "api_keys"), l.Data, nextURL(ec, l.NextCursor), se.KeyID
	if p.Form.Errors == nil {
		p.Form = formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	}
	return c.render(ec, status, "api_keys", p)
}

func listKeys(c *Console, ec echo.Context, se *session) error {
	return c.keysPage(ec, se, http.StatusOK, keysPage{})
}

func createKey(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := newForm(ec)
	k, secret, err := c.svc.Tenants.CreateKey(ctx, se.TenantID, tenants.CreateKeyInput{Kind: tenants.KeyKind(f.V("kind")), Name: strings.TrimSpace(f.V("name"))})
	if err != nil {
		status, ok := f.refuse(err)
		if !ok {
			return err
		}
		return c.keysPage(ec, se, status, keysPage{Form: f})
	}
	ec.Response().Header().Set("Cache-Control", "no-store")
	return c.keysPage(ec, se, http.StatusCreated, keysPage{Created: &k, Secret: secret, Form: formState{Values: map[string][]string{}, Errors: map[string]string{}}})
}

// revokeKey revokes a key and ends the console sessions opened with it
// (this one too, when it is the session's own key: the next page asks to
// log in again).
func revokeKey(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	k, err := c.svc.Tenants.RevokeKey(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	if err := c.sessions.endKey(ctx, se.TenantID, k.ID); err != nil {
		return err
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/api_keys", "revoked"))
}
