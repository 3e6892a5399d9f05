package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/tenants"
)

type tenantCreateReq struct {
	Name string `json:"name" openapi:"required,min=1"`
}

// tenantCreatedJSON is the reply of POST /v1/tenants: the tenant and its
// first admin key, shown once.
type tenantCreatedJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	APIKey    string `json:"api_key" doc:"The tenant's first admin key; shown only here."`
	CreatedAt string `json:"created_at" openapi:"date-time"`
}

type apiKeyJSON struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind" openapi:"enum=key_kind"`
	Name      string  `json:"name"`
	Prefix    string  `json:"prefix"`
	CreatedAt string  `json:"created_at" openapi:"date-time"`
	RevokedAt *string `json:"revoked_at" openapi:"date-time"`
	Key       string  `json:"key,omitempty" doc:"The secret; only in the reply that creates the key."`
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
	return c.JSON(http.StatusCreated, tenantCreatedJSON{ID: t.ID, Name: t.Name, APIKey: secret, CreatedAt: fmtTime(t.CreatedAt)})
}

type keyCreateReq struct {
	Kind string `json:"kind" openapi:"required,enum=key_kind"`
	Name string `json:"name" openapi:"required,min=1"`
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
