/* fuzz_go_buildinfo: ELF files and .go.buildinfo sections as an installed containerd binary holds them. */
/* fuzz-max-len: 65536 (GO_BUILDINFO_MAX, the section read; a larger file only moves offsets) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/node/containerd.h"
#include "collect/node/go_buildinfo.h"

struct mem {
        const uint8_t *data;
        size_t size;
};

/* The property: no read leaves the file, however its headers lie. */
static int mem_pread(void *ctx, void *buf, size_t n, uint64_t off)
{
        const struct mem *m = ctx;
        if (off > m->size || n > m->size - off)
                abort();
        memcpy(buf, m->data + off, n);
        return 0;
}

static void use(char *gover, char *mod)
{
        free(containerd_version_from_modinfo(mod));
        free(gover);
        free(mod);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct mem m = {data, size};
        struct go_reader rd = {.pread = mem_pread, .ctx = &m, .size = size};
        char *gover = NULL, *mod = NULL;
        if (go_buildinfo_read(&rd, &gover, &mod) == 0)
                use(gover, mod);
        if (go_buildinfo_parse(data, size, &gover, &mod) == 0)
                use(gover, mod);
        /* The input as module text. */
        char *text = strndup((const char *)data, size);
        free(containerd_version_from_modinfo(text));
        free(text);
        return 0;
}
