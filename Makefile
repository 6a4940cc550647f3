# nodeward: build, test, run, install.
VERSION   ?= 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/sbin
UNITDIR   ?= $(PREFIX)/lib/systemd/system
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/nodeward
CC        ?= cc
BUILD     ?= build
# V=1 shows every command.
Q         := $(if $(V),,@)

# Debian packages the build and the tests need; `make deps` installs what is missing.
DEB_PACKAGES := gcc make pkg-config libcjson-dev libyaml-dev libcap-dev libcmocka-dev \
                clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libssl-dev

PKGS      := libcjson yaml-0.1 libcap libbpf openssl
WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wvla
HARDEN    := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT       ?= -O2 -g
# c-ares: host names resolve from the node's own resolver configuration, without NSS.
PKGS         += libcares
DEB_PACKAGES += libc-ares-dev
# libseccomp: nodeward's own system-call allowlist (host/base/sandbox.c); static archive in Debian too.
PKGS         += libseccomp
DEB_PACKAGES += libseccomp-dev
# Each object's header dependencies come from the compiler (-MMD -MP), read back below.
DEPFLAGS  := -MMD -MP
CFLAGS    += -std=gnu11 $(OPT) $(WARN) $(HARDEN) -Ihost -Ichecks -Ibpf -I$(BUILD)/bpf \
             -DNODEWARD_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS   += -pie -Wl,-z,relro,-z,now
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lbpf -lelf -lz -lm

# host/ in layers: base/, collect/<subject>/, policy/, render/, cli/ (make check-layers).
HOST_SRCS := $(wildcard host/*/*.c host/*/*/*.c)
LIB_SRCS  := $(filter-out host/cli/main.c host/base/static_start.c,$(HOST_SRCS)) $(wildcard checks/*.c) \
             $(filter-out %.bpf.c,$(wildcard bpf/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/host/cli/main.o
TEST_SRCS := $(wildcard tests/unit/test_*.c) $(wildcard tests/e2e/test_*.c)
TEST_BINS := $(TEST_SRCS:%.c=$(BUILD)/%)

.PHONY: all deps deps-fuzz deps-test check-layers test asan valgrind fuzz fuzz-smoke bench soak run demo install clean format

all: deps $(BUILD)/nodeward nodeward

# Installs only what is missing; silent when everything is present, never needs
# the network then. It names what it installs and shows apt's download, unpack and
# set-up lines as they happen; apt-get update runs only when apt cannot find a package.
# $(1): the package list.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "nodeward: installing $$(echo $$missing | wc -w) missing Debian package(s) and their dependencies:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "nodeward: run as root or: sudo apt-get install$$missing" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; guard=""; daemons=""; \
	  for p in $$missing; do case $$p in openssh-server) daemons="$$daemons ssh.service ssh.socket";; \
	      prometheus) daemons="$$daemons prometheus.service";; \
	      prometheus-node-exporter) daemons="$$daemons prometheus-node-exporter.service";; esac; done; \
	  [ -z "$$daemons" ] || [ -e /usr/sbin/policy-rc.d ] || \
	    { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1; }; \
	  apt-get install -s -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	    { echo "nodeward: apt-get update (the package lists do not have them)"; apt-get update -q | sed -u 's/^/  /'; }; \
	  rcf=$$(mktemp); \
	  { apt-get install -y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 --no-install-recommends $$missing 2>&1; echo $$? > $$rcf; } | \
	    sed -u -n 's/^\(Need to get\|Get:\|Unpacking\|Setting up\|E:\|W:\|Err:\|dpkg:\)/  &/p'; \
	  rc=$$(cat $$rcf); rm -f $$rcf; \
	  [ -z "$$guard" ] || rm -f /usr/sbin/policy-rc.d; \
	  [ -z "$$daemons" ] || systemctl disable $$daemons >/dev/null 2>&1 || true; \
	  [ "$$rc" -eq 0 ] || { echo "nodeward: apt-get install failed (exit $$rc)" >&2; exit 1; }; \
	  echo "nodeward: installed$$missing"; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))

# The real tools the fleet tests judge nodeward's artefacts with; only the test
# targets install them (npm packages: tests/package.json, installed by the tests).
# openssh-server is only for `sshd -T` in the differential test, prometheus for promtool and
# prometheus-node-exporter for a node_exporter the test runs itself on loopback: the three are
# installed without starting their services (policy-rc.d) and left disabled, as before. nftables builds the network scenes;
# the openssl CLI makes the live kubelet test's CA and serving certificates.
TEST_DEB_PACKAGES := systemd man-db groff-base prometheus prometheus-node-exporter nftables openssh-server openssl \
                     systemd-container debootstrap
# The SSM document's install step is run against a local HTTP server (python3) with curl.
TEST_DEB_PACKAGES += curl python3

# A minimal Debian 12 (debootstrap --variant=minbase) lacks these as well; one per line.
# ip and ss: the network scenes of the imds, connwatch and sockets tests.
TEST_DEB_PACKAGES += iproute2
# strace: the hostile-root test records every open of a run.
TEST_DEB_PACKAGES += strace
# The fleet report formats' judges: botocore's Security Hub model (ASFF) and xmllint (JUnit XSD).
TEST_DEB_PACKAGES += python3-botocore libxml2-utils

deps-test: deps
	$(call install_missing,$(TEST_DEB_PACKAGES) $(if $(shell command -v npm),,nodejs npm))
	@[ tests/node_modules/.package-lock.json -nt tests/package-lock.json ] || \
	  { echo "nodeward: installing the npm validators pinned in tests/package-lock.json (npm ci in tests/)"; \
	    cd tests && npm ci --no-audit --no-fund; }

# The kernel side: the BPF object and its skeleton, generated into the build directory
# (never committed). The kernel types come from bpf/vmlinux_min.h, written by hand and the
# same for every architecture (CO-RE relocates each field on the node), so neither the build
# machine's BTF nor its architecture matters. `make VMLINUX_H=/path/to/vmlinux.h` (a
# `bpftool btf dump ... format c`) builds against a full header instead; the copy in
# $(BUILD)/bpf changes, and the BPF objects rebuild, only when its content does.
VMLINUX_H ?= bpf/vmlinux_min.h
BPF_ARCH  := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_SKELS := $(BUILD)/bpf/connwatch.skel.h $(BUILD)/bpf/ownerscan.lskel.h
.SECONDARY: $(BUILD)/bpf/vmlinux.h $(BUILD)/bpf/connwatch.bpf.o $(BUILD)/bpf/ownerscan.bpf.o $(BPF_SKELS)

.PHONY: vmlinux-h-force
$(BUILD)/bpf/vmlinux.h: $(VMLINUX_H) vmlinux-h-force
	@mkdir -p $(dir $@)
	@cmp -s $< $@ || { $(if $(Q),echo "  VMLINUX $@ ($<)" &&) cp $< $@.tmp && mv $@.tmp $@; }

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h $(BUILD)/bpf/vmlinux.h | deps
	@$(if $(Q),echo "  BPF     $@")
	$(Q)clang -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD)/bpf -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@$(if $(Q),echo "  SKEL    $@")
	$(Q)bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# A light skeleton (loaded and relocated by the kernel itself) for the owner iterator.
$(BUILD)/bpf/%.lskel.h: $(BUILD)/bpf/%.bpf.o
	@$(if $(Q),echo "  LSKEL   $@")
	$(Q)bpftool gen skeleton -L $< name $*_bpf > $@.tmp && mv $@.tmp $@

# The skeletons exist before anything compiles; only the objects that include one
# (their .d files say which) are rebuilt when the BPF program changes.
$(BUILD)/%.o: %.c | deps $(BPF_SKELS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/nodeward: $(LIB_OBJS) $(MAIN_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

nodeward: $(BUILD)/nodeward
	@cp $< $@

# The same program with test hooks compiled in (host/base/sandbox.c: a forbidden call on
# demand), for tests/e2e/test_sandbox.c only; never installed or shipped.
$(BUILD)/testhooks/sandbox.o: host/base/sandbox.c | deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -DNODEWARD_TEST_HOOKS -c -o $@ $<
$(BUILD)/nodeward-testhooks: $(filter-out $(BUILD)/host/base/sandbox.o,$(LIB_OBJS)) $(BUILD)/testhooks/sandbox.o $(MAIN_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka -lpthread

# The metadata service stand-in the imds end-to-end test runs in its namespace.
$(BUILD)/tests/e2e/imds_server: tests/e2e/imds_server.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# Runs a command with capset(2) denied by seccomp, as a unit's SystemCallFilter can.
$(BUILD)/tests/e2e/deny_capset: tests/e2e/deny_capset.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The kubelet stand-in (HTTPS API and read-only port) the live kubelet test runs in its node namespace.
$(BUILD)/tests/e2e/kubelet_server: tests/e2e/kubelet_server.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs openssl 2>/dev/null)

# The TOML reader's tagged-JSON dump, compared with Python's tomllib by test_toml_diff.
$(BUILD)/tests/e2e/toml_dump: tests/e2e/toml_dump.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# The include directions of host/'s layers, checks/ and bpf/ (scripts/check-layers.sh).
check-layers:
	@sh scripts/check-layers.sh

test: check-layers deps deps-test $(BUILD)/nodeward $(BUILD)/nodeward-testhooks $(BUILD)/tests/e2e/toml_dump $(BUILD)/tests/e2e/imds_server $(BUILD)/tests/e2e/kubelet_server $(BUILD)/tests/e2e/deny_capset $(TEST_BINS)
	@NODEWARD=$(abspath $(BUILD)/nodeward) FIXTURES=$(abspath tests/fixtures) \
	  sh tests/run-tests.sh $(TEST_BINS)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  LDFLAGS="-pie -Wl,-z,relro,-z,now -fsanitize=address,undefined" TEST_RETRY_SLOW=1 test

# libFuzzer harnesses: every tests/fuzz/fuzz_*.c against the whole library, built
# with clang, ASan and UBSan. fuzz-smoke runs each for FUZZ_SECONDS from its
# checked-in seed corpus (tests/fuzz/corpus/NAME/); a crash fails the target.
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_SECONDS  ?= 20
FUZZ_BUILD    := build-fuzz
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   := -std=gnu11 -g -O1 -Ihost -Ichecks -Ibpf -I$(BUILD)/bpf -DNODEWARD_VERSION='"$(VERSION)"' -DFUZZING \
                 $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(FUZZ_SAN)
FUZZ_OBJS     := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BINS     := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))

deps-fuzz: deps
	$(call install_missing,$(FUZZ_PACKAGES))

$(FUZZ_BUILD)/%.o: %.c | deps-fuzz $(BPF_SKELS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)clang $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

.SECONDARY: $(FUZZ_OBJS)

fuzz: deps-fuzz $(FUZZ_BINS)

fuzz-smoke: fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz-smoke.sh $(FUZZ_BINS)

# The whole suite under valgrind memcheck: unit tests directly, the binary the
# end-to-end tests run through a wrapper. Any error or definite leak fails.
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            --show-leak-kinds=definite --track-fds=no --suppressions=$(abspath tests/valgrind.supp)
valgrind: deps deps-test $(BUILD)/nodeward $(BUILD)/tests/e2e/deny_capset $(BUILD)/tests/e2e/kubelet_server $(TEST_BINS)
	$(call install_missing,valgrind)
	@printf '#!/bin/sh\nexec $(VALGRIND) %s "$$@"\n' "$(abspath $(BUILD)/nodeward)" > $(BUILD)/nodeward-valgrind
	@chmod +x $(BUILD)/nodeward-valgrind
	@NODEWARD=$(abspath $(BUILD)/nodeward-valgrind) FIXTURES=$(abspath tests/fixtures) NODEWARD_UNDER_VALGRIND=1 \
	  TEST_WRAPPER="$(VALGRIND)" TEST_RETRY_SLOW=1 sh tests/run-tests.sh $(TEST_BINS)

# Owners and listing against ss at 1k, 16k and 64k listeners and 8k over 2,000
# processes; a whole check and explain sshd with 2,000 processes running; the
# eBPF probe's cost on the whole watch process. Results go to BENCHMARKS.md by hand.
$(BUILD)/bench/bench_sockets: tests/bench/bench_sockets.c | deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCH   $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# eBPF cost and exactness (root): 200,000 loopback connects with and without the
# probe; 1,000,000 attempts counted exactly; `nodeward watch` under a 60 s flood.
$(BUILD)/tests/bench/%: tests/bench/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCH   $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# The sockets bench runs the static binary nodeward ships (BENCH_NODEWARD= another);
# the check bench runs the dynamic build and the static binary side by side.
BENCH_NODEWARD ?= $(abspath $(STATIC_OUT_x86_64))
bench: deps static $(BUILD)/nodeward $(BUILD)/bench/bench_sockets $(BUILD)/tests/bench/bench_check $(BUILD)/tests/bench/bench_connwatch
	$(call install_missing,strace openssh-server)
	@$(BUILD)/bench/bench_sockets $(BENCH_NODEWARD)
	@$(BUILD)/tests/bench/bench_check $(abspath $(BUILD)/nodeward) tests/fixtures/demo-al2023 $(abspath $(STATIC_OUT_x86_64))
	@$(BUILD)/tests/bench/bench_connwatch overhead 200000
	@$(BUILD)/tests/bench/bench_connwatch overhead-watch 200000 $(abspath $(BUILD)/nodeward)
	@$(BUILD)/tests/bench/bench_connwatch flood 1000000
	@sh tests/bench/watch-rss.sh $(BUILD)/nodeward $(BUILD)/tests/bench/bench_connwatch 60

# A long-running watch while pods, flood, a full textfile directory and a config
# replaced mid-read come and go (root): RSS and fds flat, each pod one finding.
SOAK_SECONDS ?= 600
soak: deps deps-test $(BUILD)/nodeward $(BUILD)/tests/soak/test_soak
	@NODEWARD=$(abspath $(BUILD)/nodeward) SOAK_SECONDS=$(SOAK_SECONDS) $(BUILD)/tests/soak/test_soak

run: all
	@./nodeward check; rc=$$?; echo "(nodeward check exited $$rc)"; [ $$rc -le 1 ]

# A bundled copy of an EKS AL2023 node (tests/fixtures/demo-node/SOURCES.md): its own kernel
# and OS in the header; the checks that need a live network skip on a copy.
demo: all
	@./nodeward check --root tests/fixtures/demo-node; rc=$$?; \
	  echo "(nodeward check --root tests/fixtures/demo-node exited $$rc)"; [ $$rc -le 1 ]

# Units name the binary as /usr/local/sbin/nodeward; installing rewrites that to $(BINDIR).
# systemd/ needs systemd 248 (PrivateIPC=, the newest directive it uses); an older
# host (Amazon Linux 2 has 219) gets systemd/systemd219/, which uses nothing newer
# than 219 and writes into /var/lib/nodeward, created here. SYSTEMD_VERSION=219
# forces that choice; unset, it is the host's (`systemctl --version`).
UNITS            := nodeward-boot.service nodeward-gate.service nodeward.service nodeward.timer
SYSTEMD_UNITS_MIN := 248
SYSTEMD_VERSION  ?= $(shell systemctl --version 2>/dev/null | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
install: $(BUILD)/nodeward
	$(Q)install -D -m 0755 $(BUILD)/nodeward $(DESTDIR)$(BINDIR)/nodeward
	$(Q)install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples
	$(Q)v='$(SYSTEMD_VERSION)'; src=systemd; \
	case "$$v" in ''|*[!0-9]*) echo "nodeward: systemd version \"$$v\" unknown: installing the units for systemd >= $(SYSTEMD_UNITS_MIN)";; \
	  *) [ "$$v" -ge $(SYSTEMD_UNITS_MIN) ] || src=systemd/systemd219;; esac; \
	for u in $(UNITS); do \
	  sed 's|/usr/local/sbin/nodeward|$(BINDIR)/nodeward|g' $$src/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done; \
	[ "$$src" = systemd ] || install -d -m 0755 $(DESTDIR)/var/lib/nodeward
	$(Q)install -m 0644 systemd/kubelet.service.d/nodeward-gate.conf.example \
	  $(DESTDIR)$(DOCDIR)/examples/kubelet.service.d-nodeward-gate.conf
	$(Q)install -m 0644 systemd/nodeward.8 $(DESTDIR)$(MANDIR)/man8/nodeward.8
	$(Q)install -m 0644 tests/schemas/nodeward-report-v1.json $(DESTDIR)$(DOCDIR)/nodeward.report.v1.schema.json

# One style, .clang-format at the top, for every C file: `make format` rewrites them in
# place, `make check-format` names the ones it would change (and changes nothing).
# clang-format-14 is Debian 12's; another version may break lines differently.
CLANG_FORMAT   ?= clang-format-14
FORMAT_SRCS    := $(wildcard host/*/*.[ch] host/*/*/*.[ch] checks/*.[ch] bpf/*.[ch] tests/*.h tests/unit/*.[ch] \
                             tests/e2e/*.[ch] tests/fuzz/*.[ch] tests/bench/*.[ch])
FORMAT_PACKAGES := clang-format-14

.PHONY: check-format
format:
	$(call install_missing,$(FORMAT_PACKAGES))
	$(Q)$(CLANG_FORMAT) -i $(FORMAT_SRCS)

check-format:
	$(call install_missing,$(FORMAT_PACKAGES))
	@out=$$($(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRCS) 2>&1); rc=$$?; \
	bad=$$(printf '%s\n' "$$out" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | uniq); \
	if [ -n "$$bad" ]; then \
	  echo "nodeward: $$(echo $$bad | wc -w) file(s) differ from .clang-format (make format rewrites them; $(CLANG_FORMAT) --dry-run FILE shows where):"; \
	  for f in $$bad; do echo "  $$f"; done; exit 1; \
	elif [ $$rc -ne 0 ]; then printf '%s\n' "$$out" >&2; exit 1; \
	fi; echo "nodeward: $(words $(FORMAT_SRCS)) files match .clang-format"

clean:
	rm -rf build build-asan build-fuzz nodeward

# make static, static-arm64, static-all: mk/static.mk.
include mk/static.mk

# make image: mk/image.mk.
include mk/image.mk

# What the compiler recorded each object, test and harness to include: the files
# this Makefile's own rules write, by name (the build directory also holds other
# trees, such as the boot test's Debian root, whose files may end in .d too).
DEP_FILES := $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(BUILD)/testhooks/sandbox.d $(TEST_BINS:=.d) \
             $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d) $(SOBJS_x86_64:.o=.d) $(SOBJS_arm64:.o=.d) \
             $(ARM64_UNIT_BINS:=.d) $(patsubst tests/%.c,$(BUILD)/tests/%.d,$(wildcard tests/bench/*.c tests/soak/*.c))
-include $(wildcard $(DEP_FILES))
