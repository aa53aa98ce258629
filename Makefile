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
  libgtest-dev libgmock-dev libbenchmark-dev wrk

.PHONY: all setup configure build demo test asan bench fuzz format clean

all: build

setup:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "setup: all packages present"; fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: setup build
	./scripts/demo.sh $(BUILD)

test: setup build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

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
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
