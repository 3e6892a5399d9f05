package invoicing

import (
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// Service computes and stores invoices.
type Service struct {
	db        *store.DB
	clock     domain.Clock
	customers *customers.Service
	usage     Usage
}

// NewService returns a Service.
func NewService(db *store.DB, clock domain.Clock, cs *customers.Service, usage Usage) *Service {
	return &Service{db: db, clock: clock, customers: cs, usage: usage}
}
