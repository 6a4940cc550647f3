# Static binaries: build/nodeward-static (x86_64, this machine) and build/nodeward-static-arm64
# (cross-built): static-pie, no shared object and no NSS at run time, the BPF object embedded
# through its skeleton. Included by the Makefile; `make test` builds and tests both.
#
# Each architecture has its own objects under $(BUILD)/static/ARCH, compiled with fixed
# flags, so `make asan` (sanitizers cannot link statically) still builds and tests them.

ARCH        ?= x86_64
override ARCH := $(patsubst x86,x86_64,$(patsubst amd64,x86_64,$(patsubst aarch64,arm64,$(ARCH))))
STATIC_OUT_x86_64 := $(BUILD)/nodeward-static
STATIC_OUT_arm64  := $(BUILD)/nodeward-static-arm64
TP          := $(BUILD)/third-party

# file(1) for the tests; dpkg-dev unpacks cJSON's source package (scripts/third-party.sh).
STATIC_DEB_PACKAGES := file dpkg-dev binutils
# arm64: Debian's cross toolchain, and the arm64 builds of the libraries (multiarch: the
# same versions as the amd64 ones, side by side); qemu-user-static runs the result.
CROSS       := aarch64-linux-gnu-
ARM64_DEB_PACKAGES := gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static \
                      $(addsuffix :arm64,$(filter lib%-dev zlib1g-dev,$(DEB_PACKAGES)))
# The resolver's end-to-end test asks a real DNS server.
TEST_DEB_PACKAGES += dnsmasq-base

STATIC_OPT  := -O2 -g
# glibc's functions that would go to NSS answer numerically (host/base/static_nss.c): no NSS
# code is linked, whatever a library refers to (c-ares' service names; OpenSSL's BIO).
# libcrypto's loader of dynamic engines and providers, which nodeward never uses, finds
# nothing (host/collect/probes/klive_probe.c): no dlopen() is linked either.
NSS_WRAPPED := getaddrinfo freeaddrinfo getnameinfo gethostbyname getservbyname getservbyport_r
STATIC_LDFLAGS := -static-pie -Wl,-z,relro,-z,now $(foreach f,$(NSS_WRAPPED),-Wl,--wrap=$(f)) \
                  -Wl,--wrap=dlopen,--wrap=dladdr
# x86_64: relative relocations packed (DT_RELR, glibc >= 2.36): a 7 KiB table the start-up
# code walks instead of 520 KiB of RELA entries (Debian 12's aarch64 linker ignores it).
STATIC_LDFLAGS_x86_64 := -Wl,-z,pack-relative-relocs
# The entry point faults the RELRO region in with one madvise before relocation
# (host/base/static_start.c).
STATIC_LDFLAGS += -Wl,-e,nodeward_start
STATIC_SRCS := $(LIB_SRCS) host/cli/main.c host/base/static_start.c

.PHONY: deps-static deps-arm64 static static-arm64 static-all
deps-static: deps
	$(call install_missing,$(STATIC_DEB_PACKAGES))
	@sh scripts/third-party.sh fetch $(TP)

deps-arm64: deps-static
	@dpkg --print-foreign-architectures | grep -qx arm64 || { \
	  echo "nodeward: adding the arm64 architecture to dpkg (dpkg --add-architecture arm64) for the cross-build's libraries"; \
	  [ "$$(id -u)" = 0 ] || { echo "nodeward: run as root or: sudo dpkg --add-architecture arm64" >&2; exit 1; }; \
	  dpkg --add-architecture arm64 && apt-get update -qq >/dev/null; }
	$(call install_missing,$(ARM64_DEB_PACKAGES))

static: $(STATIC_OUT_$(ARCH))
	@[ -n "$(STATIC_OUT_$(ARCH))" ] || { echo "nodeward: ARCH=$(ARCH): make static builds x86_64 or arm64" >&2; exit 2; }
static-arm64: $(STATIC_OUT_arm64)
static-all: $(STATIC_OUT_x86_64) $(STATIC_OUT_arm64)

# $(1) arch, $(2) C compiler, $(3) ar, $(4) pkg-config, $(5) __TARGET_ARCH_ of the BPF
# program (its pt_regs and syscall conventions; CO-RE relocates the rest on the node),
# $(6) dependency target.
define static_arch
SOBJS_$(1) := $$(STATIC_SRCS:%.c=$$(BUILD)/static/$(1)/%.o)
SCFLAGS_$(1) = -std=gnu11 $$(STATIC_OPT) $$(WARN) $$(HARDEN) -Ihost -Ichecks -Ibpf -I$$(BUILD)/static/$(1)/bpf \
               -DNODEWARD_VERSION='"$$(VERSION)"' $$(shell $(4) --cflags $$(PKGS) 2>/dev/null)
.SECONDARY: $$(BUILD)/static/$(1)/bpf/connwatch.bpf.o $$(BUILD)/static/$(1)/bpf/connwatch.skel.h \
            $$(BUILD)/static/$(1)/bpf/ownerscan.bpf.o $$(BUILD)/static/$(1)/bpf/ownerscan.lskel.h

# The kernel types: $$(BUILD)/bpf/vmlinux.h, the same for every architecture (Makefile: VMLINUX_H).
$$(BUILD)/static/$(1)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h $$(BUILD)/bpf/vmlinux.h | $(6)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  BPF     $$@")
	$$(Q)clang -g -O2 -target bpf -D__TARGET_ARCH_$(5) -I$$(BUILD)/bpf -Ibpf -c $$< -o $$@
	$$(Q)llvm-strip -g $$@

$$(BUILD)/static/$(1)/bpf/%.skel.h: $$(BUILD)/static/$(1)/bpf/%.bpf.o
	@$$(if $$(Q),echo "  SKEL    $$@")
	$$(Q)bpftool gen skeleton $$< name $$*_bpf > $$@.tmp && mv $$@.tmp $$@

$$(BUILD)/static/$(1)/bpf/%.lskel.h: $$(BUILD)/static/$(1)/bpf/%.bpf.o
	@$$(if $$(Q),echo "  LSKEL   $$@")
	$$(Q)bpftool gen skeleton -L $$< name $$*_bpf > $$@.tmp && mv $$@.tmp $$@

$$(BUILD)/static/$(1)/%.o: %.c | $(6) $$(BUILD)/static/$(1)/bpf/connwatch.skel.h \
                            $$(BUILD)/static/$(1)/bpf/ownerscan.lskel.h
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  CC      $$@")
	$$(Q)$(2) $$(SCFLAGS_$(1)) $$(DEPFLAGS) -c -o $$@ $$<

$$(TP)/$(1)/libcjson.a: scripts/third-party.sh $$(wildcard $$(TP)/src/cjson.version) | $(6)
	$$(Q)sh scripts/third-party.sh build $$(TP) $$(dir $$@) $(2) $(3)

# Every library as an archive: pkg-config --static adds what each needs in turn (libssl's
# -lcrypto, ...); cJSON's archive is found first through -L.
$$(STATIC_OUT_$(1)): $$(SOBJS_$(1)) $$(TP)/$(1)/libcjson.a
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$(2) $$(SCFLAGS_$(1)) $$(STATIC_LDFLAGS) $$(STATIC_LDFLAGS_$(1)) -o $$@ $$(SOBJS_$(1)) -L$$(TP)/$(1) \
	  $$(shell $(4) --static --libs $$(PKGS) 2>/dev/null) -lbpf -lelf -lz -lm
endef

ARM64_PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
$(eval $(call static_arch,x86_64,$(CC),ar,pkg-config,x86,deps-static))
$(eval $(call static_arch,arm64,$(CROSS)gcc,$(CROSS)ar,$(ARM64_PKG_CONFIG),arm64,deps-arm64))

# The unit tests, cross-built against arm64's shared libraries (there is no static
# libcmocka), run under qemu-aarch64-static by tests/e2e/test_static.c: the parsers and
# checks on arm64's ABI (char signedness, alignment), with the x86_64 tests' assertions.
# Not test_http: it opens real sockets with IP_MINTTL, which qemu-user 7.2 does not
# emulate (ENOPROTOOPT). Not test_netns: its probe children (fork, setns, the drop to
# nobody and of every capability) never report under qemu-user 7.2, and the nsfs ioctl
# NS_GET_NSTYPE is not emulated (ENOSYS); it is about the kernel's namespaces, not the ABI.
ARM64_UNIT := $(BUILD)/static/arm64/tests/unit
ARM64_UNIT_BINS := $(patsubst tests/unit/%.c,$(ARM64_UNIT)/%,$(filter-out %/test_http.c %/test_netns.c,$(wildcard tests/unit/test_*.c)))
$(ARM64_UNIT)/%: tests/unit/%.c $(filter-out %/host/cli/main.o %/host/base/static_start.o,$(SOBJS_arm64))
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CROSS)gcc $(SCFLAGS_arm64) $(DEPFLAGS) -Itests -pie -Wl,-z,relro,-z,now -o $@ $< $(filter-out %/host/cli/main.o %/host/base/static_start.o,$(SOBJS_arm64)) \
	  $(shell $(ARM64_PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lbpf -lelf -lz -lm -lcmocka -lpthread

# The tests find both binaries here (tests/e2e/test_static.c, test_dns_resolve.c).
export NODEWARD_STATIC       := $(abspath $(STATIC_OUT_x86_64))
export NODEWARD_STATIC_ARM64 := $(abspath $(STATIC_OUT_arm64))
export NODEWARD_ARM64_UNIT   := $(abspath $(ARM64_UNIT))
test valgrind: $(STATIC_OUT_x86_64) $(STATIC_OUT_arm64) $(ARM64_UNIT_BINS)
