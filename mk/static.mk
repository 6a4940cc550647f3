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
STATIC_LDFLAGS := -static-pie -Wl,-z,relro,-z,now

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
