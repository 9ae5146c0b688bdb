# Moonbase: `make run` and `make test` are the two commands a fresh machine needs.
SWIFT ?= swift
# bash with pipefail: `make test` pipes swift test through tee and keeps its status.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
BUILD_PACKAGES := libluajit-5.1-dev libuv1-dev libmariadb-dev pkg-config
TEST_PACKAGES := $(BUILD_PACKAGES) mariadb-server mariadb-client lua-cjson
# gcc: Benchmarks/http_hello.sh compiles its C reference server (uv_responder.c)
BENCH_PACKAGES := $(TEST_PACKAGES) wrk nginx-light curl bc gcc
FLAGSHIP ?= examples/http_multicore.lua
# The release binary carries the Swift runtime: it runs where Swift is not installed.
RELEASE_FLAGS := -c release --static-swift-stdlib
PREFIX ?= /usr/local
# Arguments for the flagship: make run ARGS='serve 8080'
ARGS ?=

.PHONY: run test bench soak build release deps test-deps bench-deps clean install

deps:
	@scripts/install-deps $(BUILD_PACKAGES)

test-deps:
	@scripts/install-deps $(TEST_PACKAGES)

release: deps
	@echo "== release build (a few minutes from clean): .build/release/moonbase"
	$(SWIFT) build $(RELEASE_FLAGS)

build: deps
	$(SWIFT) build

# Builds in release mode and runs the flagship example.
run: release
	.build/release/moonbase run $(FLAGSHIP) $(ARGS)

# Installs the release binary, actors/ and the LuaLS type definitions under PREFIX.
install: release
	scripts/install $(PREFIX)

# Installs what the tests need, starts a throwaway MariaDB, runs every Swift
# test and Lua test script (debug build), then the Lua test scripts and examples
# again with the release build users run, and stops MariaDB again.
# Ends with one line of totals over both runs (scripts/test-summary).
test: test-deps
	@echo "== release build of moonbase"
	$(SWIFT) build $(RELEASE_FLAGS) --product moonbase
	@echo "== swift test (debug build), then the Lua scripts with the release build"
	@scripts/with-mariadb sh -c '$(SWIFT) test --disable-xctest; s1=$$?; \
	  MOONBASE_BINARY=.build/release/moonbase $(SWIFT) test --disable-xctest --skip-build --filter LuaScriptTests; s2=$$?; \
	  [ $$s1 = 0 ] && [ $$s2 = 0 ]' 2>&1 | tee .build/test-output.txt; \
	  status=$$?; scripts/test-summary .build/test-output.txt; exit $$status

bench-deps:
	@scripts/install-deps $(BENCH_PACKAGES)

# Builds release, runs every benchmark against its reference in the same run,
# prints the table and writes it to Benchmarks/results/latest.md.
bench: bench-deps
	@echo "== release build, then every benchmark (several minutes)"
	$(SWIFT) build $(RELEASE_FLAGS)
	Benchmarks/run

# A mixed load on loopback for SOAK_SECONDS (default 600): fails if a request
# is lost or RSS or fds grow past a bound. Not part of `make test`.
soak: test-deps
	@echo "== release build, then the soak test for $${SOAK_SECONDS:-600} s"
	$(SWIFT) build $(RELEASE_FLAGS) --product moonbase
	soak/run

clean:
	rm -rf .build
