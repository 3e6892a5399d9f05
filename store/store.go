package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database behind a DB.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is an open Tally database.
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
	URL     string
	// Replica is the read replica's handle (AttachReplica), nil without
	// one; reads reach it only through Reader.
	Replica *gorm.DB
	replica *DB

	locks localLocks // TryLock's locks when the database has no shared ones
}

// Open connects to url: "postgres://…" or "postgresql://…" selects Postgres,
// "sqlite://PATH" (or "sqlite::memory:") an embedded SQLite file. SQLite runs
// with one connection, WAL and foreign keys on: it serializes writers, which
// is what makes concurrent event ingestion safe there.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg := &gorm.Config{Logger: logger.Default.LogMode(logger.Silent), TranslateError: true, NowFunc: func() time.Time { return time.Now().UTC() }}
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		g, err := gorm.Open(postgres.Open(url), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, _ := g.DB()
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		if err := sqlDB.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("reach postgres: %w", err)
		}
		return &DB{Gorm: g, Dialect: Postgres, URL: url}, nil
	case strings.HasPrefix(url, "sqlite://"), strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "sqlite:")
		if path == "" {
			return nil, errors.New("sqlite url needs a path: sqlite://./tally.db")
		}
		dsn := path
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
		g, err := gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqlDB, _ := g.DB()
		sqlDB.SetMaxOpenConns(1)
		if err := sqlDB.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		return &DB{Gorm: g, Dialect: SQLite, URL: url}, nil
	default:
		return nil, fmt.Errorf("unsupported database url %q: use postgres://… or sqlite://PATH", url)
	}
}

// Close releases the connections (the replica's too).
func (d *DB) Close() error {
	if d.replica != nil {
		_ = d.replica.Close()
	}
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers (used by /readyz).
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// WithContext returns a gorm handle bound to ctx.
func (d *DB) WithContext(ctx context.Context) *gorm.DB { return d.Gorm.WithContext(ctx) }

// Tx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise. fn must use only the handle it is given.
func (d *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return d.Gorm.WithContext(ctx).Transaction(fn, &sql.TxOptions{})
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "duplicate key value") || strings.Contains(msg, "SQLSTATE 23505")
}

// IsNotFound reports whether err is gorm's record-not-found.
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }
