# clusterbench. `make sweep` runs the quick offline sweep and writes runs/<id>/report.md; `make test` runs the tests.
# Both install dependencies (npm ci) and build first, so they work on a fresh clone.
NODE ?= node
PROFILE ?= quick

.PHONY: all build sweep test bench typecheck clean

all: build

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build: node_modules/.installed
	rm -rf dist
	npx tsc -p tsconfig.json

sweep: build
	$(NODE) dist/harness/cli.js sweep --profile $(PROFILE)

test: build
	$(NODE) scripts/run-tests.mjs

bench: build
	$(NODE) scripts/run-benches.mjs

clean:
	rm -rf dist runs
