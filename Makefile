# clusterbench. `make sweep` runs the quick offline sweep and writes runs/<id>/report.md; `make test` runs the tests.
# (`make test-unit` is the fast part of `make test`; `make lint` checks layers, import cycles and ESLint.)
# Both install dependencies (npm ci) and build first, so they work on a fresh clone.
# A Node >= 22 on PATH: the system's when new enough, else the pinned Node 24 from the npm registry (scripts/node-bin-dir.sh).
NODE_BIN := $(shell bash scripts/node-bin-dir.sh)
ifeq ($(NODE_BIN),)
$(error could not find or fetch Node >= 22; see the message above)
endif
export PATH := $(NODE_BIN):$(PATH)
NODE ?= node
NODE_MAJOR := $(shell $(NODE) -p 'process.versions.node.split(".")[0]')
PROFILE ?= quick

.PHONY: all build sweep test test-unit test-integration lint bench bench-peers typecheck clean profile nightly schemas

all: build

node_modules/.installed-node$(NODE_MAJOR): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build: node_modules/.installed-node$(NODE_MAJOR)
	rm -rf dist
	$(NODE) scripts/build-wasm.mjs
	npx tsc -p tsconfig.json
	npx tsc -p tsconfig.types.json

sweep: build
	$(NODE) dist/harness/cli.js sweep --profile $(PROFILE)

# make test = the unit part (test/unit/: pure functions, about half a minute on 2 cores), then the integration part
# (worker pools, child processes, servers, the browser, large inputs).
test: build
	$(NODE) scripts/run-tests.mjs --unit
	$(NODE) scripts/run-tests.mjs --integration

test-unit: build
	$(NODE) scripts/run-tests.mjs --unit

test-integration: build
	$(NODE) scripts/run-tests.mjs --integration

# Layers and import cycles, ESLint with type information (eslint.config.js), then Prettier's check (.prettierrc.json:
# 120 columns; `npm run format` rewrites). Reads the sources, needs no build.
lint: node_modules/.installed-node$(NODE_MAJOR)
	$(NODE) scripts/check-architecture.mjs
	npx eslint .
	npx prettier --check .

bench: build
	$(NODE) scripts/run-benches.mjs

# Our kernels against scikit-learn and the Python hdbscan library on the same files, interleaved, in CPU seconds
# (bench/peers.bench.ts). Python side: scripts/install-python-peers.sh (apt-get); a peer not installed is skipped.
bench-peers: build
	$(NODE) dist/bench/peers.bench.js

# Profile one stage at one scale in a worker thread: make profile STAGE=cluster SCALE=20000 TOOL=cpu-prof (or heap-prof,
# heap-snapshot). Prints the output files and the top five functions by self time.
STAGE ?= cluster
SCALE ?= 20000
TOOL ?= cpu-prof
profile: build
	$(NODE) dist/harness/cli.js profile --stage $(STAGE) --scale $(SCALE) --tool $(TOOL) --profile $(PROFILE)

# The nightly loop locally (see README, "History, trends and the nightly loop"): sweep profiles/nightly.yaml, append to the history,
# compare with the last passing run; exits 1 on a regression.
nightly: build
	bash scripts/nightly.sh

# schemas/*.json (results.json, profile YAML) from the zod schemas; test/unit/json-schemas.test.ts fails when they are stale.
schemas: build
	$(NODE) scripts/write-json-schemas.mjs

clean:
	rm -rf dist runs
