package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/tenants"
)

type tenantCreateReq struct {
	Name string `json:"name"`
}

type apiKeyJSON struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Name      string  `json:"name"`
	Prefix    string  `json:"prefix"`
	CreatedAt string  `json:"created_at"`
	RevokedAt *string `json:"revoked_at"`
	Key       string  `json:"key,omitempty"`
}

func keyJSON(k tenants.APIKey) apiKeyJSON {
	return apiKeyJSON{ID: k.ID, Kind: string(k.Kind), Name: k.Name, Prefix: k.Prefix, CreatedAt: fmtTime(k.CreatedAt), RevokedAt: fmtTimePtr(k.RevokedAt)}
}

func (s *Server) createTenant(c echo.Context) error {
	var req tenantCreateReq
	if err := decode(c, &req); err != nil {
		return err
	}
	t, secret, err := s.Tenants.CreateTenant(c.Request().Context(), tenants.CreateTenantInput{Name: req.Name})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"id": t.ID, "name": t.Name, "api_key": secret, "created_at": fmtTime(t.CreatedAt)})
}

type keyCreateReq struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

func (s *Server) createKey(c echo.Context) error {
	var req keyCreateReq
	if err := decode(c, &req); err != nil {
		return err
	}
	k, secret, err := s.Tenants.CreateKey(c.Request().Context(), tenantOf(c), tenants.CreateKeyInput{Kind: tenants.KeyKind(req.Kind), Name: req.Name})
	if err != nil {
		return err
	}
	out := keyJSON(k)
	out.Key = secret
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) listKeys(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	l, err := s.Tenants.ListKeys(c.Request().Context(), tenantOf(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, keyJSON))
}

func (s *Server) revokeKey(c echo.Context) error {
	k, err := s.Tenants.RevokeKey(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyJSON(k))
}
