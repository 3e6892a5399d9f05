# Tally's everyday commands. `make` or `make help` lists them.

GO      ?= go
BIN     ?= bin/tally
IMAGE   ?= tally
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.DEFAULT_GOAL := help
.PHONY: help build test test-short vet fmt demo serve migrate docker-build compose-up fuzz ci

help: ## List the targets
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z0-9_-]+:.*?## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build the tally binary into bin/tally
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/tally

test: ## Run all tests on both stores (Postgres from TALLY_TEST_POSTGRES_URL)
	$(GO) test ./...

test-short: ## Run the quick tests only (go test -short)
	$(GO) test -short ./...

vet: ## Run go vet
	$(GO) vet ./...

fmt: ## Format the code with gofmt
	gofmt -l -w .

demo: ## Run the demo: a fresh SQLite database with demo data (ADDR=host:port to move it)
	$(GO) run ./cmd/tally demo $(if $(ADDR),--addr $(ADDR))

serve: ## Run the API server with the settings of the environment (TALLY_*)
	$(GO) run ./cmd/tally serve

migrate: ## Apply pending migrations to TALLY_DATABASE_URL and exit
	$(GO) run ./cmd/tally migrate

docker-build: ## Build the Docker image tally:VERSION (and tally:latest)
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) -t $(IMAGE):latest .

compose-up: ## Start Tally, PostgreSQL and stripe-mock with Docker Compose
	docker compose up --build

fuzz: ## Fuzz the rating invariants for 30s
	$(GO) test -run='^$$' -fuzz=FuzzRatingInvariants -fuzztime=30s ./plans/rating

ci: ## Run what CI runs (.ci/run)
	bash .ci/run
