# apvirt developer entry points.  The real build is meson + ninja; this file
# only strings the steps together.  Every target installs missing Debian 12
# packages first (scripts/deps.sh), so `make demo` and `make check` work on a
# fresh machine.  Set APV_SKIP_DEPS=1 to skip that step.

MESON          ?= meson
CLANG_FORMAT   ?= clang-format-14
CLANG_TIDY     ?= clang-tidy-14
RUN_CLANG_TIDY ?= run-clang-tidy-14
CPPCHECK       ?= cppcheck
JOBS           ?= $(shell nproc 2>/dev/null || echo 2)

BUILD         := build
BUILD_ASAN    := build-asan
BUILD_RELEASE := build-release
BUILD_DEB     := build-deb

# C sources and headers we own (make format / format-check).
FORMAT_DIRS := include src tests bench tools
FORMAT_FILES = $(shell find $(FORMAT_DIRS) -name '*.[ch]' 2>/dev/null | sort)

export MESON

.PHONY: all deps deps-lint deps-demo deps-deb build check bench demo demo-lib \
	clean format format-check lint cppcheck clang-tidy install deb deb-test \
	crash-long soak fuzz-long

all: build

deps:
	@scripts/deps.sh core interop

deps-lint:
	@scripts/deps.sh core lint

# make demo installs only what the demo needs (no chromium, no libvirt).
deps-demo:
	@scripts/deps.sh core demo

deps-deb:
	@scripts/deps.sh core deb

# gcc debug build with warnings as errors.
define build_gcc
	@if [ ! -f $(BUILD)/build.ninja ]; then \
		rm -rf $(BUILD) && \
		CC=gcc $(MESON) setup $(BUILD) --werror; \
	fi
	$(MESON) compile -C $(BUILD)
endef

build: deps
	$(build_gcc)

# meson install of the gcc build (prefix /usr/local unless the build was
# set up otherwise; DESTDIR=DIR stages it): apsim, apctl, libapvirt,
# libapvirt_guest, headers, pkg-config files, man pages, completions.
install: build
	DESTDIR=$(DESTDIR) $(MESON) install -C $(BUILD) --no-rebuild

# Debian packages (apvirt, libapvirt-dev) with dpkg-buildpackage, built
# from a copy of the tree in $(BUILD_DEB)/apvirt; the .debs land in
# $(BUILD_DEB).
deb: deps-deb
	rm -rf $(BUILD_DEB) && mkdir -p $(BUILD_DEB)/apvirt
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -co --exclude-standard -z | \
			tar --null -T - --ignore-failed-read -cf - ; \
	else \
		tar --exclude='./build*' --exclude=./.git -cf - . ; \
	fi | tar -C $(BUILD_DEB)/apvirt -xf -
	cd $(BUILD_DEB)/apvirt && dpkg-buildpackage -b -uc -us
	@ls $(BUILD_DEB)/*.deb

# The packages unpacked in a clean root and run from there (smoke checks:
# apsim exec, lszcrypt, apctl, as root and as a user; pkg-config).
deb-test: deb
	debian/deb-test.sh $(BUILD_DEB)

# Whole test suite twice (gcc build/ and clang ASan+UBSan build-asan/); the
# last line printed is `N passed, N failed, N skipped` over both.
check: deps
	@scripts/check.sh

# The clang ASan+UBSan build of check.sh (build-asan), configured if needed.
define build_asan
	@if [ ! -f $(BUILD_ASAN)/build.ninja ]; then \
		rm -rf $(BUILD_ASAN) && \
		CC=clang $(MESON) setup $(BUILD_ASAN) --werror \
			-Db_sanitize=address,undefined -Db_lundef=false; \
	fi
	$(MESON) compile -C $(BUILD_ASAN)
endef

# Soak (docs/testing.md): SOAK_OPS random operations through apsim's
# mounted tree and control socket under ASan+UBSan, checked against an
# in-process reference host after every one.  SOAK_SEED repeats a run
# (default: a new seed, printed).  Not part of check.
SOAK_OPS  ?= 1000000
SOAK_SEED ?=
SOAK_FULL_EVERY ?= 2000
soak: deps
	$(build_asan)
	APSIM=$(CURDIR)/$(BUILD_ASAN)/src/sim/apsim \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=abort_on_error=1 \
		nice $(BUILD_ASAN)/tests/soak/apvirt-soak --ops $(SOAK_OPS) \
		--full-every $(SOAK_FULL_EVERY) \
		$(if $(SOAK_SEED),--seed $(SOAK_SEED))

# Every libFuzzer target for APV_FUZZ_RUNS (default 10,000,000) executions
# or APV_FUZZ_SECONDS per target; new coverage is merged into
# tests/fuzz/corpus/<target>/ (commit it).  Not part of check.
fuzz-long: deps
	$(build_asan)
	tests/soak/fuzz-long.sh $(BUILD_ASAN)

# Release build; runs every meson benchmark() target.
bench: deps
	@if [ ! -f $(BUILD_RELEASE)/build.ninja ]; then \
		rm -rf $(BUILD_RELEASE) && \
		CC=gcc $(MESON) setup $(BUILD_RELEASE) --buildtype=release; \
	fi
	$(MESON) compile -C $(BUILD_RELEASE)
	$(MESON) test -C $(BUILD_RELEASE) --benchmark --verbose --no-rebuild

# apctl's SIGKILL crash test (tests/apctl/crash.sh) at CRASH_TRIALS kills
# per kernel (default 1000; `make check` runs the short 300/60), not part
# of check.
CRASH_TRIALS ?= 1000
crash-long: build
	APV_CRASH_TRIALS=$(CRASH_TRIALS) $(MESON) test -C $(BUILD) \
		--timeout-multiplier 20 --verbose apctl-crash-6.12 apctl-crash-6.1

# The vfio_ap session on apsim's simulated host with the real lszcrypt and
# mdevctl (tools/demo.sh; needs root and /dev/fuse, exits 77 without them).
demo: deps-demo
	$(build_gcc)
	APSIM=$(CURDIR)/$(BUILD)/src/sim/apsim tools/demo.sh

# The library demo, without apsim: the same story on the model's API.
demo-lib: build
	./$(BUILD)/tools/apvirt-demo

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_RELEASE) $(BUILD_DEB)

format: deps-lint
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check: deps-lint
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)

# Static analysis on build/compile_commands.json (not part of check yet).
lint: cppcheck clang-tidy

# cppcheck 2.10 drops the shell-quoted -DAPV_TEST_DATA="..." of the test
# programs from compile_commands.json (and then stops at golden.h's #error,
# skipping the test program), so it is given again here; scripts/cmocka.cfg
# tells it that a failed cmocka assertion does not return (and knows
# jansson's iteration macros).  readdirCalled is off: glibc deprecates
# readdir_r, and readdir on a private DIR * is thread-safe.
cppcheck: deps-lint build
	$(CPPCHECK) --project=$(BUILD)/compile_commands.json \
		--error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem --suppress=readdirCalled \
		--inline-suppr \
		--library=posix --library=$(CURDIR)/scripts/cmocka.cfg \
		'-DAPV_TEST_DATA="$(CURDIR)/tests/data"' \
		--quiet -j $(JOBS)

clang-tidy: deps-lint build
	$(RUN_CLANG_TIDY) -p $(BUILD) -clang-tidy-binary $(CLANG_TIDY) \
		-quiet -j $(JOBS) -extra-arg=-Wno-unknown-warning-option
