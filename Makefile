# Moonbase: `make run` and `make test` are the two commands a fresh machine needs.
SWIFT ?= swift
BUILD_PACKAGES := libluajit-5.1-dev libuv1-dev libmariadb-dev pkg-config
TEST_PACKAGES := $(BUILD_PACKAGES) mariadb-server mariadb-client lua-cjson
# gcc: Benchmarks/http_hello.sh compiles its C reference server (uv_responder.c)
BENCH_PACKAGES := $(TEST_PACKAGES) wrk nginx-light curl bc gcc
FLAGSHIP ?= examples/http_multicore.lua

.PHONY: run test bench soak build release deps test-deps bench-deps clean

deps:
	@scripts/install-deps $(BUILD_PACKAGES)

test-deps:
	@scripts/install-deps $(TEST_PACKAGES)

release: deps
	$(SWIFT) build -c release

build: deps
	$(SWIFT) build

# Builds in release mode and runs the flagship example.
run: release
	.build/release/moonbase run $(FLAGSHIP)

# Installs what the tests need, starts a throwaway MariaDB, runs every Swift
# test and Lua test script (debug build), then the Lua test scripts and examples
# again with the release build users run, and stops MariaDB again.
test: test-deps
	$(SWIFT) build -c release --product moonbase
	scripts/with-mariadb sh -c '$(SWIFT) test && \
	  MOONBASE_BINARY=.build/release/moonbase $(SWIFT) test --skip-build --filter LuaScriptTests'

bench-deps:
	@scripts/install-deps $(BENCH_PACKAGES)

# Builds release, runs every benchmark against its reference in the same run,
# prints the table and writes it to Benchmarks/results/latest.md.
bench: bench-deps
	$(SWIFT) build -c release
	Benchmarks/run

# A mixed load on loopback for SOAK_SECONDS (default 600): fails if a request
# is lost or RSS or fds grow past a bound. Not part of `make test`.
soak: test-deps
	$(SWIFT) build -c release --product moonbase
	soak/run

clean:
	rm -rf .build
