# restartprof: BPF objects -> skeletons -> library -> CLI, tests and fuzzers.
#
#   make                 build build/restartprof (native architecture)
#   make test            install what is missing, build, run every test (root, for the real engine)
#   make run             install what is missing, build, run a short experiment
#   make ARCH=arm64      cross-build into build-arm64/ (ARCH=arm for armhf)
#   make SANITIZE=1      build with ASan+UBSan into build-asan/
#   make vmlinux         regenerate vmlinux/$(ARCH)/vmlinux.h from the running kernel's BTF
#   make format          clang-format the tree;  make bench, make fuzz, make vmtest: see README.md

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/armv.*/arm/')
ARCH ?= $(HOST_ARCH)

ifeq ($(ARCH),$(HOST_ARCH))
OUT ?= build
else
OUT ?= build-$(ARCH)
CROSS_TRIPLE_arm64 := aarch64-linux-gnu
CROSS_TRIPLE_arm := arm-linux-gnueabihf
CROSS_TRIPLE := $(CROSS_TRIPLE_$(ARCH))
CC := $(CROSS_TRIPLE)-gcc
export PKG_CONFIG_LIBDIR := /usr/lib/$(CROSS_TRIPLE)/pkgconfig:/usr/share/pkgconfig
endif
ifeq ($(SANITIZE),1)
OUT := $(OUT)-asan
endif

CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PKG_CONFIG ?= pkg-config

# A vmlinux.h made from the running kernel is preferred for native builds; the checked-in one
# is the fallback and the one cross builds use.
NATIVE_BTF := /sys/kernel/btf/vmlinux
ifeq ($(ARCH)$(wildcard $(NATIVE_BTF)),$(HOST_ARCH)$(NATIVE_BTF))
VMLINUX_DIR := $(OUT)/vmlinux
else
VMLINUX_DIR := vmlinux/$(ARCH)
endif

LIBS_PC := libbpf libelf zlib libcurl json-c libarchive nettle
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wno-missing-field-initializers -Wno-format-truncation -Iinclude -Isrc -I$(OUT) -pthread
LDLIBS += $(shell $(PKG_CONFIG) --libs $(LIBS_PC)) -lpthread -lm
ifeq ($(STATIC),1)
LDFLAGS += -static
LDLIBS := $(shell $(PKG_CONFIG) --static --libs $(LIBS_PC)) -lpthread -lm
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

LIB_SRCS := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJS := $(patsubst src/%.c,$(OUT)/obj/%.o,$(LIB_SRCS)) $(OUT)/obj/svc_blob.o
LIB := $(OUT)/librestartprof.a
BIN := $(OUT)/restartprof
SVC := $(OUT)/restartprof-svc

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(wildcard tests/unit/test_*.c))
INTEG_TESTS := $(patsubst tests/integration/%.c,$(OUT)/tests/%,$(wildcard tests/integration/test_*.c))
TEST_SUPPORT := $(wildcard tests/support/*.c)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all test unit integration run deps vmlinux format format-check clean bench fuzz fuzz-run \
	vmtest FORCE
.DELETE_ON_ERROR:

all: $(BIN) $(SVC)

deps:
	$(Q)bash scripts/install-deps.sh build run test

$(OUT)/vmlinux/vmlinux.h: | $(OUT)/vmlinux
	$(call msg,BTF,$@)
	$(Q)$(BPFTOOL) btf dump file $(NATIVE_BTF) format c > $@

vmlinux:
	$(BPFTOOL) btf dump file $(NATIVE_BTF) format c > vmlinux/$(HOST_ARCH)/vmlinux.h

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(VMLINUX_DIR)/vmlinux.h | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/skel/%.skel.h: $(OUT)/bpf/%.bpf.o | $(OUT)/skel
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

GIT_DESCRIBE := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(OUT)/obj/cli/version.o: CFLAGS += -DRP_GIT=\"$(GIT_DESCRIBE)\"
# run.json records the git hash: rebuild version.o whenever it changes (the stamp is rewritten
# only then, so an unchanged tree still builds nothing).
$(OUT)/obj/cli/version.o: $(OUT)/git-describe
$(OUT)/git-describe: FORCE | $(OUT)
	$(Q)[ "$$(cat $@ 2>/dev/null)" = "$(GIT_DESCRIBE)" ] || echo "$(GIT_DESCRIBE)" > $@
FORCE:

# Skeletons embed the BPF objects: whatever includes them is rebuilt when they change.
$(OUT)/obj/trace/loader.o: $(SKELS)
.SECONDARY: $(BPF_OBJS)

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

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(OUT)/obj/cli/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/tests/%: tests/unit/%.c $(TEST_SUPPORT) $(LIB) | $(OUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $(LDFLAGS) $< $(TEST_SUPPORT) $(LIB) $(LDLIBS) -lcmocka -o $@

$(OUT)/tests/%: tests/integration/%.c $(TEST_SUPPORT) $(LIB) | $(OUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $(LDFLAGS) $< $(TEST_SUPPORT) $(LIB) $(LDLIBS) -lcmocka -o $@

$(OUT) $(OUT)/bpf $(OUT)/skel $(OUT)/obj $(OUT)/tests $(OUT)/vmlinux:
	$(Q)mkdir -p $@

unit: $(UNIT_TESTS)
	$(Q)bash tests/run-unit.sh $(UNIT_TESTS)

integration: $(BIN) $(INTEG_TESTS)
	$(Q)bash tests/run-integration.sh $(OUT) $(INTEG_TESTS)

test: deps
	$(Q)$(MAKE) --no-print-directory all unit integration

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/with-engine.sh $(BIN) run --trials 10 -o results/quick-$$(date +%Y%m%d-%H%M%S)

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

$(FUZZ_OUT)/lib.a: $(FUZZ_OBJS) $(OUT)/obj/svc_blob.o
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OUT)/lib.a
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OUT)/lib.a $(LDLIBS) -o $@

fuzz: $(FUZZ_TARGETS)

fuzz-run: fuzz
	$(Q)bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-*
