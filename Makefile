# SPDX-License-Identifier: GPL-2.0-only
# restartprof: BPF objects -> skeletons -> library -> CLI, tests and fuzzers.
#
#   make                 build build/restartprof (native architecture)
#   make test            install what is missing, build, run every test (root, for the real engine)
#   make promtool        check dist/prometheus (configuration, rules, rules' unit tests)
#   make run             install what is missing, build, run a short experiment
#   make ARCH=arm64      cross-build into build-arm64/ (ARCH=arm for armhf); stops at once with
#                        one line naming the install-deps.sh command if a prerequisite is missing
#   make SANITIZE=1      build with ASan+UBSan into build-asan/
#   make STATIC=1        one statically linked binary into build-static/ (docs/devices.md)
#   make dist            static tarballs (native, arm64, armhf) and SHA256SUMS into build/dist/
#                        (make dist-test: checks them, and the one-line stop; not in make test)
#   make vmlinux         regenerate vmlinux/$(ARCH)/vmlinux.h from Debian's 6.1 kernel BTF
#   make NATIVE_VMLINUX=1  compile the BPF side against the running kernel's own BTF instead
#   make format          clang-format the tree;  make bench: bench/README.md; make fuzz: docs/contributing.md
#   make vmtest          the VM lab on four stock Debian kernels (make vmtest-ci: the CI subset)
#   make man             the man pages into build/man (make man-lint: checked by mandoc and man)
#   make install         binary, man pages, completion, unit, rules, docs under PREFIX (/usr/local)
#                        and DESTDIR; make uninstall removes exactly what it wrote
#   make deb             the Debian package into build/deb/ (DEB_ARCH=arm64 or armhf: cross-built)
#   make deb-test        that package installed into a fresh bookworm chroot, run, purged

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/armv.*/arm/')
ARCH ?= $(HOST_ARCH)

DEB_ARCH_x86 := amd64
DEB_ARCH_arm64 := arm64
DEB_ARCH_arm := armhf
DEB_ARCH := $(DEB_ARCH_$(ARCH))
CROSS_TRIPLE_arm64 := aarch64-linux-gnu
CROSS_TRIPLE_arm := arm-linux-gnueabihf

ifeq ($(ARCH),$(HOST_ARCH))
OUT ?= build
else
OUT ?= build-$(ARCH)
CROSS_TRIPLE := $(CROSS_TRIPLE_$(ARCH))
ifeq ($(CROSS_TRIPLE),)
$(error ARCH=$(ARCH) is not one restartprof builds for: ARCH=x86, arm64 or arm (armhf))
endif
# The target's libraries come from Debian's multiarch -dev packages (scripts/install-deps.sh
# cross-ARCH, and static-ARCH for STATIC=1) or from a sysroot, SYSROOT=DIR. Without SYSROOT
# and without the multiarch packages, the sysroot tests/vm/sysroot.sh ARCH [--static] made is
# used if it holds what the build needs (libcurl.pc; libnghttp2.a for STATIC=1).
CROSS_PROBE := /usr/lib/$(CROSS_TRIPLE)/$(if $(filter 1,$(STATIC)),libnghttp2.a,pkgconfig/libcurl.pc)
LAB_SYSROOT := $(CURDIR)/tests/vm/cache/sysroot/$(DEB_ARCH)/root
ifeq ($(origin SYSROOT)$(wildcard $(CROSS_PROBE)),undefined)
SYSROOT := $(patsubst %$(CROSS_PROBE),%,$(wildcard $(LAB_SYSROOT)$(CROSS_PROBE)))
endif
CROSS_CC ?= $(CROSS_TRIPLE)-gcc
CC := $(CROSS_CC)$(if $(SYSROOT), --sysroot=$(SYSROOT))
# Given to pkg-config on its command line: GNU make 4.3 does not pass exported variables to
# $(shell ...).
PKG_CONFIG_LIBDIR ?= $(SYSROOT)/usr/lib/$(CROSS_TRIPLE)/pkgconfig:$(SYSROOT)/usr/share/pkgconfig
PKG_CONFIG_SYSROOT_DIR ?= $(SYSROOT)
PKG_CONFIG ?= PKG_CONFIG_LIBDIR=$(PKG_CONFIG_LIBDIR) PKG_CONFIG_SYSROOT_DIR=$(PKG_CONFIG_SYSROOT_DIR) pkg-config
endif
ifeq ($(SANITIZE),1)
OUT := $(OUT)-asan
endif
ifeq ($(STATIC),1)
OUT := $(OUT)-static
endif

CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PKG_CONFIG ?= pkg-config

# BPF objects compile against the checked-in vmlinux.h of their architecture, made from
# Debian's 6.1 kernel, the oldest the VM lab tests: CO-RE carries them to newer kernels, and
# no field a 6.1 device lacks can creep in. NATIVE_VMLINUX=1 regenerates the native header
# from the running kernel's BTF (into $(OUT)/vmlinux) and compiles against that instead.
NATIVE_BTF := /sys/kernel/btf/vmlinux
ifeq ($(NATIVE_VMLINUX)$(ARCH),1$(HOST_ARCH))
VMLINUX_DIR := $(OUT)/vmlinux
else
VMLINUX_DIR ?= vmlinux/$(ARCH)
endif

LIBS_PC := libbpf libelf zlib libcurl json-c libarchive nettle libmicrohttpd
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wno-missing-field-initializers -Wno-format-truncation -Iinclude -Isrc -I$(OUT) -pthread
LDLIBS += $(shell $(PKG_CONFIG) --libs $(LIBS_PC)) -lpthread -lm
ifeq ($(STATIC),1)
# pkg-config --static cannot be used: Debian's libcurl.pc names -lgssapi_krb5 (Debian ships no
# static krb5) and -lldap/-llber/-lrtmp (their archives need libp11-kit.a, which Debian lacks),
# and leaves out -lbrotlicommon and -lunistring. These are the archives Debian has;
# src/engine/static_stubs.c stands in for GSS-API, LDAP and RTMP, which an HTTP client on
# a unix socket never calls (tests/vm/README.md). Debian's libmicrohttpd.a is built with
# HTTPS, and libgnutls.a needs libp11-kit.a too: src/metrics/tls_stubs.c stands in for the
# GnuTLS calls of a server that never serves TLS.
LDFLAGS += -static
LDLIBS := -lbpf -lelf -lcurl -lnghttp2 -lidn2 -lssh2 -lpsl -lssl -lcrypto -lbrotlidec \
	-lbrotlicommon -ljson-c -larchive -lacl -lzstd -llz4 -lbz2 -llzma -lnettle \
	-lmicrohttpd -lunistring -lz -lpthread -lm
# After libcurl.a and libmicrohttpd.a on the link line, not inside librestartprof.a (scanned
# before them).
STATIC_OBJS = $(OUT)/obj/engine/static_stubs.o $(OUT)/obj/metrics/tls_stubs.o
endif
# A cross or static build first checks that what it needs is here: clang, bpftool and libbpf's
# headers for the BPF side, the target's compiler, the target's libraries (pkg-config) and, for
# STATIC=1, each archive of the link. If something is missing it stops at once, before
# compiling anything, with one line naming the command that installs it. Goals that install
# first (test, run, bench, vmtest) or build nothing are not checked. (The check ends in true:
# GNU make 4.3 does not keep the output of a $(shell ...) whose exit status is 127.)
NOCHECK_GOALS := clean deps test run bench vmtest vmtest-ci vmtest-ci-prepare format format-check vmlinux promtool \
	uninstall fuzz fuzz-run dist dist-test deb deb-test
ifneq ($(filter-out $(HOST_ARCH),$(ARCH))$(filter 1,$(STATIC)),)
ifneq ($(if $(MAKECMDGOALS),$(filter-out $(NOCHECK_GOALS),$(MAKECMDGOALS)),all),)
DEPS_CMD := sudo scripts/install-deps.sh $(strip build $(if $(CROSS_TRIPLE),cross-$(DEB_ARCH)) \
	$(if $(filter 1,$(STATIC)),static$(if $(CROSS_TRIPLE),-$(DEB_ARCH))))
BUILD_MISSING := $(shell \
	for t in $(CLANG) $(BPFTOOL) $(firstword $(CC)); do command -v $$t >/dev/null || echo $$t; done; \
	[ -f /usr/include/bpf/bpf_helpers.h ] || echo bpf/bpf_helpers.h; \
	for m in $(LIBS_PC); do $(PKG_CONFIG) --exists $$m || echo $$m.pc; done; \
	$(if $(filter 1,$(STATIC)),command -v $(firstword $(CC)) >/dev/null && \
	for l in $(patsubst -l%,lib%.a,$(filter -l%,$(LDLIBS))); do \
	[ "$$($(CC) -print-file-name=$$l)" != $$l ] || echo $$l; done;) true)
ifneq ($(BUILD_MISSING),)
$(error make$(if $(CROSS_TRIPLE), ARCH=$(ARCH))$(if $(filter 1,$(STATIC)), STATIC=1) lacks \
	$(wordlist 1,4,$(BUILD_MISSING))$(if $(word 5,$(BUILD_MISSING)), and $(words \
	$(wordlist 5,999,$(BUILD_MISSING))) more): run  $(DEPS_CMD)  (docs/devices.md))
endif
endif
endif

ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# Where clang finds asm/types.h and friends when it targets BPF.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts/,/End of search list/ s| \(/.*\)|-idirafter \1|p')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -mcpu=v3 -Wall -Werror \
	-Iinclude -Ibpf -I$(VMLINUX_DIR) $(CLANG_BPF_SYS_INCLUDES)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/skel/%.skel.h,$(BPF_SRCS))
BPF_HDRS := $(wildcard bpf/*.h) $(wildcard include/restartprof/*.h)

LIB_SRCS := $(filter-out src/cli/main.c src/engine/static_stubs.c src/metrics/tls_stubs.c,\
	$(wildcard src/*/*.c))
LIB_OBJS := $(patsubst src/%.c,$(OUT)/obj/%.o,$(LIB_SRCS)) $(OUT)/obj/svc_blob.o \
	$(OUT)/obj/rules_blob.o $(OUT)/obj/remedies_blob.o
RULES := rules/causes.rules
REMEDIES := rules/remedies
LIB := $(OUT)/librestartprof.a
BIN := $(OUT)/restartprof
SVC := $(OUT)/restartprof-svc

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(wildcard tests/unit/test_*.c))
# make integration: every test but test_podman against a private dockerd. make
# integration-podman: PODMAN_SUITE against a private Podman service: test_podman, Podman's
# own, and the trial, load, kernel, diagnosis and watch tests, which run on both engines.
PODMAN_ONLY := test_podman
PODMAN_SUITE := test_podman test_run test_matrix test_kernel test_diagnosis test_watch
INTEG_TESTS := $(filter-out $(addprefix $(OUT)/tests/,$(PODMAN_ONLY)),\
	$(patsubst tests/integration/%.c,$(OUT)/tests/%,$(wildcard tests/integration/test_*.c)))
TEST_SUPPORT := $(wildcard tests/support/*.c)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all test unit integration integration-podman promtool run deps vmlinux format format-check clean bench fuzz fuzz-run \
	vmtest vmtest-ci vmtest-ci-prepare bench-stacks man man-lint install uninstall install-test dist dist-test deb \
	deb-test FORCE
.DELETE_ON_ERROR:

all: $(BIN) $(SVC)

deps:
	$(Q)bash scripts/install-deps.sh build run test podman

$(OUT)/vmlinux/vmlinux.h: | $(OUT)/vmlinux
	$(call msg,BTF,$@)
	$(Q)$(BPFTOOL) btf dump file $(NATIVE_BTF) format c > $@

vmlinux:
	bash scripts/gen-vmlinux.sh $(ARCH)

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(VMLINUX_DIR)/vmlinux.h | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/skel/%.skel.h: $(OUT)/bpf/%.bpf.o | $(OUT)/skel
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# The git hash that version reports; a build outside the git tree (make deb's copy of it)
# is given it in the environment.
GIT_DESCRIBE ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
GIT_DESCRIBE := $(GIT_DESCRIBE)
VERSION := $(shell cat VERSION)
$(OUT)/obj/cli/version.o: CFLAGS += -DRP_GIT=\"$(GIT_DESCRIBE)\" -DRP_VERSION=\"$(VERSION)\" \
	$(if $(filter 1,$(STATIC)),-DRP_STATIC)
# run.json records the git hash: rebuild version.o whenever it changes (the stamp is rewritten
# only then, so an unchanged tree still builds nothing).
$(OUT)/obj/cli/version.o: $(OUT)/git-describe VERSION
$(OUT)/git-describe: FORCE | $(OUT)
	$(Q)[ "$$(cat $@ 2>/dev/null)" = "$(GIT_DESCRIBE)" ] || echo "$(GIT_DESCRIBE)" > $@
FORCE:

# Skeletons embed the BPF objects: whatever includes them is rebuilt when they change.
$(OUT)/obj/trace/loader.o: $(SKELS)
.SECONDARY: $(BPF_OBJS) $(SKELS)

$(OUT)/obj/%.o: src/%.c $(wildcard src/*/*.h) $(wildcard include/restartprof/*.h) | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The target service ships inside restartprof, so one binary is all a device needs.
$(SVC): service/restartprof-svc.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -s $< -o $@

$(OUT)/obj/svc_blob.o: $(SVC) | $(OUT)/obj
	$(call msg,EMBED,$@)
	$(Q)printf '\t.section .rodata\n\t.balign 16\n\t.global rp_svc_blob\nrp_svc_blob:\n\t.incbin "%s"\n\t.global rp_svc_blob_end\nrp_svc_blob_end:\n\t.section .note.GNU-stack,"",%%progbits\n' "$(SVC)" > $(OUT)/obj/svc_blob.S
	$(Q)$(CC) -c $(OUT)/obj/svc_blob.S -o $@

# The cause rules ship inside restartprof too (explain --rules FILE reads another file).
$(OUT)/obj/rules_blob.o: $(RULES) | $(OUT)/obj
	$(call msg,EMBED,$@)
	$(Q)printf '\t.section .rodata\n\t.balign 16\n\t.global rp_rules_blob\nrp_rules_blob:\n\t.incbin "%s"\n\t.global rp_rules_blob_end\nrp_rules_blob_end:\n\t.section .note.GNU-stack,"",%%progbits\n' "$(RULES)" > $(OUT)/obj/rules_blob.S
	$(Q)$(CC) -c $(OUT)/obj/rules_blob.S -o $@

# So do the remedy definitions (restartprof try --remedies FILE adds to them).
$(OUT)/obj/remedies_blob.o: $(REMEDIES) | $(OUT)/obj
	$(call msg,EMBED,$@)
	$(Q)printf '\t.section .rodata\n\t.balign 16\n\t.global rp_remedies_blob\nrp_remedies_blob:\n\t.incbin "%s"\n\t.global rp_remedies_blob_end\nrp_remedies_blob_end:\n\t.section .note.GNU-stack,"",%%progbits\n' "$(REMEDIES)" > $(OUT)/obj/remedies_blob.S
	$(Q)$(CC) -c $(OUT)/obj/remedies_blob.S -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(OUT)/obj/cli/main.o $(LIB) $(STATIC_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(OUT)/obj/cli/main.o $(LIB) $(LDLIBS) $(STATIC_OBJS) -o $@

$(OUT)/tests/%: tests/unit/%.c $(TEST_SUPPORT) $(LIB) $(STATIC_OBJS) | $(OUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $(LDFLAGS) $< $(TEST_SUPPORT) $(LIB) -lcmocka $(LDLIBS) $(STATIC_OBJS) -o $@

$(OUT)/tests/%: tests/integration/%.c $(TEST_SUPPORT) $(LIB) $(STATIC_OBJS) | $(OUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $(LDFLAGS) $< $(TEST_SUPPORT) $(LIB) -lcmocka $(LDLIBS) $(STATIC_OBJS) -o $@

$(OUT) $(OUT)/bpf $(OUT)/skel $(OUT)/obj $(OUT)/tests $(OUT)/vmlinux:
	$(Q)mkdir -p $@

unit: $(UNIT_TESTS)
	$(Q)bash tests/run-unit.sh $(UNIT_TESTS)

# INTEG_SKIP, PODMAN_SKIP: test names (test_kernel ...) left out of this run on each engine.
INTEG_RUN = $(filter-out $(addprefix $(OUT)/tests/,$(INTEG_SKIP)),$(INTEG_TESTS))
PODMAN_RUN = $(addprefix $(OUT)/tests/,$(filter-out $(PODMAN_SKIP),$(PODMAN_SUITE)))
integration: $(BIN) $(INTEG_RUN)
	$(Q)bash tests/run-integration.sh $(OUT) $(INTEG_RUN)

integration-podman: $(BIN) $(PODMAN_RUN)
	$(Q)ENGINE=podman bash tests/run-integration.sh $(OUT) $(PODMAN_RUN)

# The fleet's Prometheus configuration and rules, checked and unit-tested by promtool.
promtool:
	$(Q)bash tests/promtool.sh

# On Podman, make test leaves out the trial, load and watch tests: .ci/run's sanitizer pass
# runs those on Podman (and leaves out test_kernel and test_diagnosis, which run here).
TEST_PODMAN_SKIP := test_run test_matrix test_watch
test: deps
	$(Q)$(MAKE) --no-print-directory all unit promtool man-lint install-test integration \
		integration-podman PODMAN_SKIP="$(TEST_PODMAN_SKIP)"

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/with-engine.sh $(BIN) run --trials 10 -o results/quick-$$(date +%Y%m%d-%H%M%S)

# make bench (bench/README.md): restartprof's own cost against its peers, into bench/results.md;
# not part of make test (about an hour). BENCH_ARGS go to bench/bench.sh (--quick, --only ...).
BENCH_STORM := $(OUT)/bench/storm

$(BENCH_STORM): bench/storm.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -O2 -Wall -Wextra -Werror -pthread $< -o $@

bench:
	$(Q)bash scripts/install-deps.sh build run bench static
	$(Q)$(MAKE) --no-print-directory all $(BENCH_STORM)
	$(Q)$(MAKE) --no-print-directory STATIC=1 all >/dev/null 2>&1 || \
		echo "bench: no static build here (make STATIC=1): its memory is not measured"
	$(Q)bash bench/bench.sh $(BENCH_ARGS)

# libFuzzer harnesses: the library again, built by clang with ASan+UBSan and coverage.
FUZZ_OUT := build-fuzz
FUZZ_FLAGS := -Wall -Wextra -Werror -Wno-missing-field-initializers -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I$(OUT) -Itests $(FUZZ_FLAGS)
FUZZ_OBJS := $(patsubst src/%.c,$(FUZZ_OUT)/obj/%.o,$(LIB_SRCS))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20

$(FUZZ_OUT)/obj/%.o: src/%.c $(wildcard src/*/*.h) $(wildcard include/restartprof/*.h) | $(SKELS)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/lib.a: $(FUZZ_OBJS) $(OUT)/obj/svc_blob.o $(OUT)/obj/rules_blob.o \
	$(OUT)/obj/remedies_blob.o
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OUT)/lib.a
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OUT)/lib.a $(LDLIBS) -o $@

fuzz: $(FUZZ_TARGETS)

fuzz-run: fuzz
	$(Q)bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The cost of kernel stacks and the perturbation with them on and off (bench/stacks.sh; a
# private engine unless DOCKER_HOST names one). STACKS_ARGS: e.g. "-l hdd -s 2 -t 10 -r 3".
bench-stacks: all
	$(Q)bash bench/stacks.sh -b $(BIN) $(STACKS_ARGS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h' ':!vmlinux/')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h' ':!vmlinux/')

# The VM lab (tests/vm/README.md): builds the static binaries (amd64, and arm64 against a
# sysroot from the lab's apt), boots stock Debian kernels under qemu and runs the guest test
# (check, short runs, actors, fallback) in each. vmtest: the four kernels; vmtest-ci: the CI
# subset (amd64 6.12, arm64 6.1). VMLAB_KERNELS picks kernels; VMTEST_ARGS goes to lab.sh.
VMTEST_CI_KERNELS := amd64-6.12 arm64-6.1
# ... and the kernels that also run restartprof try with load-wbps (cgroup v2, a scratch disk):
# none in CI, for time (141 s on amd64-6.12); make vmtest VMTEST_ARGS="--env GT_TRY=1" runs it.
VMTEST_CI_TRY :=
# ... and those that install their architecture's package with apt (make deb DEB_ARCH=...).
VMTEST_CI_DEB := arm64-6.1
# ... and those that repeat the hdd run on the fallback paths (every kernel in make vmtest).
VMTEST_CI_FALLBACK := amd64-6.12
# VMTEST_CI_DEB_BUILT=1: build/deb already holds those packages (CI builds them beside the
# fuzzers).
VMTEST_CI_DEB_BUILT ?=
# CI: the whole lab within 40 minutes however it goes (a retried crash included), cold cache
# and all; it normally takes about half of that.
VMTEST_CI_BUDGET ?= 2400
vmtest:
	$(Q)bash scripts/install-deps.sh build static vm
	$(Q)bash tests/vm/lab.sh --build $(VMTEST_ARGS)

VMTEST_CI_DEB_ARCHS := $(sort $(foreach k,$(VMTEST_CI_DEB),$(firstword $(subst -, ,$(k)))))
# The CI subset's kernels and images only (downloads, debootstrap, the arm64 image's second stage
# under TCG): CI runs it beside the fuzzers, and vmtest-ci then finds them in the cache.
vmtest-ci-prepare:
	$(Q)bash scripts/install-deps.sh build vm
	$(Q)VMLAB_KERNELS="$(VMTEST_CI_KERNELS)" bash tests/vm/lab.sh --prepare-only $(VMTEST_ARGS)

vmtest-ci:
	$(Q)bash scripts/install-deps.sh build static vm deb $(addprefix cross-,$(VMTEST_CI_DEB_ARCHS))
	$(Q)$(if $(VMTEST_CI_DEB_BUILT),true,for a in $(VMTEST_CI_DEB_ARCHS); do \
		$(MAKE) --no-print-directory deb DEB_ARCH=$$a || exit 1; done)
	$(Q)VMLAB_KERNELS="$(VMTEST_CI_KERNELS)" bash tests/vm/lab.sh --build --budget $(VMTEST_CI_BUDGET) \
		--env GT_TRY="$(VMTEST_CI_TRY)" --env GT_DEB="$(VMTEST_CI_DEB)" \
		--env GT_FALLBACK="$(VMTEST_CI_FALLBACK)" --deb build/deb $(VMTEST_ARGS)

# Man pages from the native binary's --help and the docs (scripts/man.sh), into build/man
# whatever ARCH is: the help text is the same on every architecture.
MAN_DIR := build/man
MAN_SRCS := scripts/man.sh man/restartprof.h2m docs/output.md docs/causes.md
man: $(MAN_DIR)/restartprof.8

$(MAN_DIR)/restartprof.8: $(MAN_SRCS) VERSION build/restartprof
	$(call msg,MAN,$(MAN_DIR))
	$(Q)rm -rf $(MAN_DIR) && bash scripts/man.sh build/restartprof $(MAN_DIR)

ifneq ($(OUT),build)
build/restartprof: FORCE
	$(Q)$(MAKE) --no-print-directory ARCH=$(HOST_ARCH) STATIC= SANITIZE= OUT=build build/restartprof
endif

# The man pages as mandoc and man see them: no warning from either.
man-lint: man
	$(Q)bash tests/man-lint.sh $(MAN_DIR)

# make install / make uninstall (PREFIX, DESTDIR): scripts/install.sh lists what goes where.
# PACKAGED=1: for a distribution package (debian/rules), no manifest of its own.
PREFIX ?= /usr/local
install: $(BIN) man
	$(Q)PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) PACKAGED=$(PACKAGED) bash scripts/install.sh install $(OUT) $(MAN_DIR)

uninstall:
	$(Q)PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) bash scripts/install.sh uninstall $(OUT) $(MAN_DIR)

# make install into a scratch DESTDIR, what it wrote checked, then make uninstall: nothing left.
install-test: $(BIN) man
	$(Q)bash tests/install-test.sh

# make dist: the static binary of each of DIST_ARCHS (make ARCH=... STATIC=1), packed with the man
# pages, README, LICENSE, rules and unit as build/dist/restartprof-VERSION-linux-DEBARCH-static.tar.gz,
# plus build/dist/SHA256SUMS (scripts/dist.sh; SOURCE_DATE_EPOCH, default the last commit's time).
# Each build stops at once with one line if what it needs is missing (docs/devices.md).
DIST_DIR ?= build/dist
DIST_ARCHS ?= $(HOST_ARCH) $(filter-out $(HOST_ARCH),arm64 arm)
dist_out = $(if $(filter $(HOST_ARCH),$(1)),build-static,build-$(1)-static)
dist_strip = $(if $(filter $(HOST_ARCH),$(1)),strip,$(CROSS_TRIPLE_$(1))-strip)
dist:
	$(Q)for a in $(DIST_ARCHS); do \
		$(MAKE) --no-print-directory ARCH=$$a STATIC=1 SANITIZE= all || exit 1; done
	$(Q)SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)} \
		$(MAKE) --no-print-directory ARCH=$(HOST_ARCH) STATIC= SANITIZE= OUT=build man
	$(Q)bash scripts/dist.sh $(DIST_DIR) $(MAN_DIR) $(foreach a,$(DIST_ARCHS),\
		$(DEB_ARCH_$(a)):$(call dist_out,$(a))/restartprof:$(call dist_strip,$(a)))

# The checks of make dist (tests/dist-test.sh): the one-line stop of a cross build that lacks
# its compiler, the tarballs' contents, SHA256SUMS, the native binary's version. Not in make test.
dist-test: dist
	$(Q)DIST_ARCHS="$(DIST_ARCHS)" bash tests/dist-test.sh $(DIST_DIR) $(DEB_ARCH_$(HOST_ARCH)) $(MAN_DIR)

# make deb: restartprof_VERSION_ARCH.deb by dpkg-buildpackage (debian/), built in a temporary
# copy of the tree, into build/deb/ (scripts/deb.sh). DEB_ARCH=arm64 or armhf cross-builds it
# (its build dependencies: scripts/install-deps.sh cross-arm64 or cross-armhf).
# DEB_ARCH reaches scripts/deb.sh in its environment, never through a shell command line.
export DEB_ARCH
deb:
	$(Q)bash scripts/install-deps.sh build man deb
	$(Q)bash scripts/deb.sh

# make deb-test (CI, not part of make test): make deb, then the package installed into a fresh
# Debian bookworm chroot (debootstrap), run there, and purged: nothing of it may be left.
deb-test:
	$(Q)bash scripts/install-deps.sh build man deb debtest
	$(Q)bash tests/deb-test.sh

clean:
	rm -rf build build-*
