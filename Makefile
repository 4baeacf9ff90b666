# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUERY ?= an ninh to quoc

COMPOSE_VERSION := v5.6.0

.PHONY: demo test install java browser redis compose lint clean

demo: install java  ## install, start a local Elasticsearch, replay seeds/, show a search
	$(BIN)/crawler es up
	$(BIN)/crawler index migrate
	$(BIN)/crawler replay seeds/
	$(BIN)/crawler search "$(QUERY)" --size 3

test: install java browser redis compose  ## the whole suite, against a real Elasticsearch it starts and stops
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

java:  ## Elasticsearch 8 needs Java 17+; install Debian's when there is none and we may
	@command -v java >/dev/null 2>&1 || [ -n "$$ES_JAVA_HOME" ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; } || \
	  { echo "Java 17+ is needed: install it or set ES_JAVA_HOME" >&2; exit 1; }

browser:  ## Debian's Chromium and its driver for the browser test (skipped, with a reason, without)
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "chromium not installed: the browser test will be skipped" >&2

redis:  ## Debian's redis-server for the scale-out test (skipped, with a reason, without)
	@command -v redis-server >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } || \
	  echo "redis-server not installed: the scale-out test will be skipped" >&2

compose: $(BIN)/docker-compose  ## `docker compose config` for tests/test_docker.py (skipped, with a reason, without Go)

$(BIN)/docker-compose: | install
	@command -v go >/dev/null 2>&1 || { echo "go not installed: the compose file check will be skipped" >&2; exit 0; }; \
	json=$$(go mod download -json github.com/docker/compose/v5@$(COMPOSE_VERSION)) && \
	src=$$(printf '%s\n' "$$json" | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p') && \
	[ -n "$$src" ] || { echo "go mod download: $$json" >&2; exit 1; }; \
	cd "$$src" && CGO_ENABLED=0 go build -trimpath -o $(CURDIR)/$@ \
	  -ldflags "-X github.com/docker/compose/v5/internal.Version=$(COMPOSE_VERSION)" ./cmd

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:  ## stop the local node and remove it and its data
	-$(BIN)/crawler es down
	rm -rf .es
