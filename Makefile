# detente: a thin front over CMake. `make demo` and `make test` are the two commands a
# newcomer needs; both install what is missing (Debian packages only) and build first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 600
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# DESIGN.md's stack. Never libboost-dev / libboost1.74-dev / libhyperscan-dev (they conflict).
PACKAGES := build-essential cmake ninja-build pkg-config git clang-14 libclang-rt-14-dev \
  libboost1.81-dev libboost-json1.81-dev libsimdjson-dev libsqlite3-dev sqlite3 \
  libpq-dev postgresql-15 libssl-dev openssl libsodium-dev libcli11-dev libspdlog-dev libfmt-dev \
  libtomlplusplus-dev prometheus-cpp-dev libvectorscan-dev libre2-dev libxxhash-dev \
  libgtest-dev libgmock-dev libbenchmark-dev wrk python3

.PHONY: all setup setup-web configure build web web-test demo test asan bench fuzz format clean

# The dashboard (docs/dashboard.md): built from web/ with the locked npm toolchain
# (web/package-lock.json; Node >= 20.19 and npm must be on the machine), served by
# `detente serve` from web/dist. Its end-to-end test drives Debian's chromium.
WEB_PACKAGES := chromium
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
  web/vite.config.ts web/tsconfig.json web/package.json web/package-lock.json

all: build

setup:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "setup: all packages present"; fi

# Debian's chromium for the dashboard's e2e test (tests/web/), only when missing.
setup-web:
	@missing=$$(for p in $(WEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "setup-web: installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "setup-web: chromium present"; fi

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "web: npm (with Node >= 20.19) is needed to build the dashboard"; exit 1; }
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

web: web/dist/index.html

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The tour (scripts/demo.sh, ~15 s); `make demo DEMO_FLAGS=--keep-running` leaves its nodes up.
demo: setup build web
	./scripts/demo.sh --build-dir $(BUILD) $(DEMO_FLAGS)

# The dashboard's e2e test (web_e2e_test, ~1-2 min) is part of `make test`: chromium and the
# built web/ come first.
test: setup setup-web build web
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The dashboard's e2e test alone; screenshots in $(BUILD)/web-screenshots.
web-test: setup setup-web build web
	./tests/web/run.sh $(BUILD) $(BUILD)/web-screenshots

asan: setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDETENTE_SANITIZE=ON -DDETENTE_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1800

bench: setup configure
	cmake --build $(BUILD) -j $(JOBS) --target benches
	./scripts/bench.sh $(BUILD)

fuzz: setup  # FUZZ_SECONDS=600 (per target), FUZZ_TARGETS="pattern_parse ..." (default: all)
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DDETENTE_FUZZ=ON -DDETENTE_BUILD_TESTS=OFF -DDETENTE_BUILD_BENCH=OFF -DDETENTE_WERROR=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	./scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) web/dist
