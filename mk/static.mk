# Static binaries: build/nodeward-static (this machine's architecture, x86_64) and
# build/nodeward-static-arm64 (cross-built), static-pie, no shared object and no NSS at
# run time, the BPF object embedded through its skeleton. Included by the Makefile.

# `file` tells what the file's interpreter would be; a static-pie has none.
STATIC_DEB_PACKAGES := file dpkg-dev
TP          := $(BUILD)/third-party
# Every library the dynamic build links, as archives (pkg-config --static adds what
# each one needs in turn, e.g. libssl's -lcrypto); cJSON's archive comes from
# scripts/third-party.sh, found first through -L.
STATIC_LIBS  = -L$(TP)/$(1) $(shell $(2) --static --libs $(PKGS) 2>/dev/null) -lbpf -lelf -lz -lm
# c-ares' service-name lookups answer "unknown" (host/dns.c): no NSS code is linked.
STATIC_LDFLAGS := -static-pie -Wl,-z,relro,-z,now -Wl,--wrap=getservbyname,--wrap=getservbyport_r

ARCH        ?= x86_64
override ARCH := $(patsubst amd64,x86_64,$(patsubst aarch64,arm64,$(ARCH)))
STATIC_OUT_x86_64 := $(BUILD)/nodeward-static
STATIC_OUT_arm64  := $(BUILD)/nodeward-static-arm64

.PHONY: deps-static static static-all
deps-static: deps
	$(call install_missing,$(STATIC_DEB_PACKAGES))
	@sh scripts/third-party.sh fetch $(TP)

static: $(STATIC_OUT_$(ARCH))
static-all: $(STATIC_OUT_x86_64) $(STATIC_OUT_arm64)

$(TP)/x86_64/libcjson.a: scripts/third-party.sh | deps-static
	$(Q)sh scripts/third-party.sh build $(TP) $(dir $@) $(CC) ar

# The dynamic build's objects are position independent already: the same ones link here.
$(STATIC_OUT_x86_64): $(LIB_OBJS) $(MAIN_OBJ) $(TP)/x86_64/libcjson.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(STATIC_LDFLAGS) -o $@ $(LIB_OBJS) $(MAIN_OBJ) $(call STATIC_LIBS,x86_64,pkg-config)

# arm64, cross-built with Debian's toolchain against Debian's arm64 -dev packages
# (multiarch: the same versions as the amd64 ones, side by side).
CROSS       := aarch64-linux-gnu-
ARM64_PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
ARM64_DEB_PACKAGES := gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static \
                      $(addsuffix :arm64,$(filter-out libcmocka-dev,$(filter lib%-dev zlib1g-dev,$(DEB_PACKAGES))))
ARM64       := $(BUILD)/arm64
ARM64_OBJS  := $(LIB_SRCS:%.c=$(ARM64)/%.o) $(ARM64)/host/main.o
ARM64_CFLAGS = -std=gnu11 $(OPT) $(WARN) $(HARDEN) -Ihost -Ichecks -Ibpf -I$(ARM64)/bpf \
               -DNODEWARD_VERSION='"$(VERSION)"' $(shell $(ARM64_PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
.SECONDARY: $(ARM64)/bpf/connwatch.bpf.o $(ARM64)/bpf/connwatch.skel.h

.PHONY: deps-arm64 static-arm64
deps-arm64: deps-static
	@dpkg --print-foreign-architectures | grep -qx arm64 || { \
	  echo "nodeward: adding the arm64 architecture to dpkg (dpkg --add-architecture arm64) for the cross-build's libraries"; \
	  [ "$$(id -u)" = 0 ] || { echo "nodeward: run as root or: sudo dpkg --add-architecture arm64" >&2; exit 1; }; \
	  dpkg --add-architecture arm64 && apt-get update -qq >/dev/null; }
	$(call install_missing,$(ARM64_DEB_PACKAGES))

static-arm64: $(STATIC_OUT_arm64)

# The same program for the kernel, built for arm64's pt_regs and syscall conventions;
# CO-RE relocates its structure accesses on the node it loads on.
$(ARM64)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h $(BUILD)/bpf/vmlinux.h | deps-arm64
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BPF     $@")
	$(Q)clang -g -O2 -target bpf -D__TARGET_ARCH_arm64 -I$(BUILD)/bpf -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@

$(ARM64)/bpf/%.skel.h: $(ARM64)/bpf/%.bpf.o
	@$(if $(Q),echo "  SKEL    $@")
	$(Q)bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(ARM64)/%.o: %.c $(wildcard host/*.h checks/*.h bpf/*.h) $(ARM64)/bpf/connwatch.skel.h | deps-arm64
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CROSS)gcc $(ARM64_CFLAGS) -c -o $@ $<

$(TP)/arm64/libcjson.a: scripts/third-party.sh | deps-arm64
	$(Q)sh scripts/third-party.sh build $(TP) $(dir $@) $(CROSS)gcc $(CROSS)ar

$(STATIC_OUT_arm64): $(ARM64_OBJS) $(TP)/arm64/libcjson.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CROSS)gcc $(ARM64_CFLAGS) $(STATIC_LDFLAGS) -o $@ $(ARM64_OBJS) $(call STATIC_LIBS,arm64,$(ARM64_PKG_CONFIG))
