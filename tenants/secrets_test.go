package tenants_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/tenants"
)

// TestKeysAreHashedAtRest creates a tenant (its admin key) and an ingest
// key, then reads every column of every api_keys row: no value holds a
// secret or its random part, the stored hash is the secret's SHA-256, the
// prefix kept for lists is at most 12 characters, and only the exact secret
// authenticates.
func TestKeysAreHashedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := tenants.NewService(db, domain.NewFixedClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
		ten, admin, err := svc.CreateTenant(ctx, tenants.CreateTenantInput{Name: "hashed"})
		if err != nil {
			t.Fatal(err)
		}
		_, ingest, err := svc.CreateKey(ctx, ten.ID, tenants.CreateKeyInput{Kind: tenants.KindIngest, Name: "ingest"})
		if err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := db.Gorm.Raw(`SELECT * FROM api_keys`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d api_keys rows, want 2", len(rows))
		}
		hashes := map[string]bool{}
		for _, secret := range []string{admin, ingest} {
			sum := sha256.Sum256([]byte(secret))
			hashes[hex.EncodeToString(sum[:])] = true
		}
		for _, r := range rows {
			for col, v := range r {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				for _, secret := range []string{admin, ingest} {
					random := secret[strings.LastIndex(secret, "_")+1:]
					if strings.Contains(text, secret) || strings.Contains(text, random[:16]) {
						t.Errorf("column %s holds the secret (or its random part): %q", col, text)
					}
				}
				if col == "key_prefix" && len(text) > 12 {
					t.Errorf("key_prefix %q is longer than 12 characters", text)
				}
			}
			if h := fmt.Sprint(r["key_hash"]); !hashes[h] {
				t.Errorf("key_hash %q is not the SHA-256 of a secret given out", h)
			}
		}
		for _, c := range []struct {
			name, secret string
			ok           bool
		}{
			{"the admin key authenticates", admin, true},
			{"the ingest key authenticates", ingest, true},
			{"the admin key with its last character changed does not", admin[:len(admin)-1] + "x", false},
			{"the stored hash itself does not", fmt.Sprint(rows[0]["key_hash"]), false},
			{"the prefix alone does not", admin[:12], false},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.Authenticate(ctx, c.secret)
				if (err == nil) != c.ok || (err != nil && domain.KindOf(err) != domain.KindUnauthorized) {
					t.Errorf("Authenticate: %v, want ok %v (or unauthorized)", err, c.ok)
				}
			})
		}
	})
}

// TestKeysAreComparedInConstantTime reads the package's source: the one
// comparison of key hashes, sameHash, is crypto/subtle's
// ConstantTimeCompare, Authenticate compares through it, and no == or !=
// anywhere in the package compares a key hash or a secret.
func TestKeysAreComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	var sameHashSubtle, authUsesSameHash bool
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				calls := callsIn(n)
				if n.Name.Name == "sameHash" && calls["subtle.ConstantTimeCompare"] {
					sameHashSubtle = true
				}
				if n.Name.Name == "Authenticate" && calls["sameHash"] {
					authUsesSameHash = true
				}
			case *ast.BinaryExpr:
				if n.Op == token.EQL || n.Op == token.NEQ {
					for _, side := range []ast.Expr{n.X, n.Y} {
						if s := exprText(side); strings.Contains(strings.ToLower(s), "hash") || strings.Contains(strings.ToLower(s), "secret") {
							t.Errorf("%s: %s compares %s with %s, not in constant time", fset.Position(n.Pos()), n.Op, exprText(n.X), exprText(n.Y))
						}
					}
				}
			}
			return true
		})
	}
	if !sameHashSubtle {
		t.Error("sameHash does not call subtle.ConstantTimeCompare")
	}
	if !authUsesSameHash {
		t.Error("Authenticate does not compare through sameHash")
	}
}

func callsIn(fn *ast.FuncDecl) map[string]bool {
	out := map[string]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			out[exprText(c.Fun)] = true
		}
		return true
	})
	return out
}

func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	case *ast.CallExpr:
		return exprText(e.Fun) + "()"
	}
	return ""
}
