# nodeward: build, test, run, install.
VERSION   ?= 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/sbin
CC        ?= cc
BUILD     ?= build

# Debian packages the build and the tests need; `make deps` installs what is missing.
DEB_PACKAGES := gcc make pkg-config libcjson-dev libyaml-dev libcap-dev libmnl-dev libcmocka-dev

PKGS      := libcjson yaml-0.1 libcap libmnl
WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wvla
HARDEN    := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT       ?= -O2 -g
CFLAGS    += -std=gnu11 $(OPT) $(WARN) $(HARDEN) -Ihost -Ichecks \
             -DNODEWARD_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS   += -pie -Wl,-z,relro,-z,now
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

LIB_SRCS  := $(filter-out host/main.c,$(wildcard host/*.c)) $(wildcard checks/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/host/main.o
TEST_SRCS := $(wildcard tests/unit/test_*.c) $(wildcard tests/e2e/test_*.c)
TEST_BINS := $(TEST_SRCS:%.c=$(BUILD)/%)

.PHONY: all deps test unit e2e asan run demo install clean format fuzz-sockets bench

all: deps $(BUILD)/nodeward nodeward

# Installs only what is missing; silent when everything is present, never needs
# the network then.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "nodeward: installing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "nodeward: run as root or: sudo apt-get install$$missing" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } || exit 1; \
	fi

$(BUILD)/%.o: %.c $(wildcard host/*.h checks/*.h) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/nodeward: $(LIB_OBJS) $(MAIN_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

nodeward: $(BUILD)/nodeward
	@cp $< $@

$(BUILD)/tests/%: tests/%.c $(LIB_OBJS) tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

test: deps $(BUILD)/nodeward $(TEST_BINS)
	@NODEWARD=$(abspath $(BUILD)/nodeward) FIXTURES=$(abspath tests/fixtures) \
	  sh tests/run-tests.sh $(TEST_BINS)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  LDFLAGS="-pie -Wl,-z,relro,-z,now -fsanitize=address,undefined" test

# libFuzzer on the netlink reply parsers (clang), from the seeds in
# tests/fuzz/corpus/sockets_parse; FUZZ_SECONDS bounds the run.
FUZZ_SECONDS ?= 60
FUZZ_SRCS := host/sockets.c host/sockets_print.c host/sockets_owners.c host/netns.c host/rootfs.c host/util.c
fuzz-sockets: deps
	@mkdir -p $(BUILD)/fuzz /tmp/nw-sock-fuzz-corpus
	clang -std=gnu11 -g -O1 -Ihost -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $(BUILD)/fuzz/fuzz_sockets_parse tests/fuzz/fuzz_sockets_parse.c $(FUZZ_SRCS) -lmnl
	cp tests/fuzz/corpus/sockets_parse/* /tmp/nw-sock-fuzz-corpus/
	$(BUILD)/fuzz/fuzz_sockets_parse -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -artifact_prefix=$(BUILD)/fuzz/ /tmp/nw-sock-fuzz-corpus

# Socket listing against ss on 16,000 listeners; results go to BENCHMARKS.md by hand.
$(BUILD)/bench/bench_sockets: tests/bench/bench_sockets.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

bench: $(BUILD)/nodeward $(BUILD)/bench/bench_sockets
	@$(BUILD)/bench/bench_sockets $(abspath $(BUILD)/nodeward)

run: all
	@./nodeward check; rc=$$?; echo "(nodeward check exited $$rc)"; [ $$rc -le 1 ]

demo: all
	@./nodeward check --root tests/fixtures/demo-al2023; rc=$$?; \
	  echo "(nodeward check --root tests/fixtures/demo-al2023 exited $$rc)"; [ $$rc -le 1 ]

install: $(BUILD)/nodeward
	install -D -m 0755 $(BUILD)/nodeward $(DESTDIR)$(BINDIR)/nodeward

format:
	clang-format -i host/*.[ch] checks/*.[ch] tests/*.h tests/unit/*.c tests/e2e/*.c

clean:
	rm -rf build build-asan nodeward
