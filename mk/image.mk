# The OCI image: the static binaries (mk/static.mk) FROM scratch, linux/amd64 and
# linux/arm64 in one manifest list, built with buildah in a private store under
# $(BUILD) (nothing is pulled, nothing touches the machine's container storage)
# and saved as an OCI archive. Included by the Makefile.
IMAGE_DEB_PACKAGES := buildah skopeo umoci podman
IMAGE_ARCHIVE := $(BUILD)/nodeward-image.oci.tar
IMAGE_REF     := nodeward:$(VERSION)
IMAGE_STAGE   := $(BUILD)/image
IMAGE_STORE   := $(abspath $(BUILD))/containers
BUILDAH       := buildah --root $(IMAGE_STORE)/storage --runroot $(IMAGE_STORE)/run --storage-driver vfs

.PHONY: image deps-image
deps-image: deps
	$(call install_missing,$(IMAGE_DEB_PACKAGES))

image: $(IMAGE_ARCHIVE)

# Staged without debug information: the image carries what runs, nothing else.
$(IMAGE_STAGE)/amd64/nodeward: $(STATIC_OUT_x86_64)
	@mkdir -p $(dir $@)
	$(Q)strip -o $@ $<
$(IMAGE_STAGE)/arm64/nodeward: $(STATIC_OUT_arm64) | deps-arm64
	@mkdir -p $(dir $@)
	$(Q)$(CROSS)strip -o $@ $<
$(IMAGE_STAGE)/amd64/install-plugin: images/install-plugin.c | deps
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -Os $(WARN) -static -s -o $@ $<
$(IMAGE_STAGE)/arm64/install-plugin: images/install-plugin.c | deps-arm64
	@mkdir -p $(dir $@)
	$(Q)$(CROSS)gcc -std=gnu11 -Os $(WARN) -static -s -o $@ $<

IMAGE_FILES := $(foreach a,amd64 arm64,$(IMAGE_STAGE)/$(a)/nodeward $(IMAGE_STAGE)/$(a)/install-plugin)

# --timestamp 0: the same binaries give the same image digest.
$(IMAGE_ARCHIVE): $(IMAGE_FILES) images/Containerfile .containerignore | deps-image
	@echo "  IMAGE   $@ ($(IMAGE_REF): linux/amd64, linux/arm64)"
	$(Q)rm -rf $(IMAGE_STORE) $@.tmp
	$(Q)for a in amd64 arm64; do \
	  $(BUILDAH) build --quiet --platform linux/$$a --manifest $(IMAGE_REF) --timestamp 0 \
	    --label org.opencontainers.image.title=nodeward --label org.opencontainers.image.version=$(VERSION) \
	    -f images/Containerfile . >/dev/null || exit 1; \
	done
	$(Q)$(BUILDAH) manifest push --all --format oci --quiet $(IMAGE_REF) oci-archive:$@.tmp:$(IMAGE_REF)
	$(Q)rm -rf $(IMAGE_STORE) && mv $@.tmp $@

# The image tests (tests/e2e/test_image_run.c, test_npd_plugin.c) find the archive here.
export NODEWARD_IMAGE := $(abspath $(IMAGE_ARCHIVE))
test valgrind: $(IMAGE_ARCHIVE)
