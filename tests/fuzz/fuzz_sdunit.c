/* fuzz_sdunit: systemd unit text and an EnvironmentFile, expanded into the ExecStart argv. */
/* fuzz-max-len: 4194304 (ROOTFS_READ_CAP, a unit or EnvironmentFile) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/rootfs.h"
#include "base/sdunit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* The first NUL separates the unit from the environment file. */
        char *buf = malloc(size + 2);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = buf[size + 1] = '\0';
        const char *unit = buf, *env = buf + strlen(buf) + 1;
        if (env > buf + size)
                env = NULL;
        char **argv;
        size_t argc;
        if (sdunit_exec_from_text(unit, env, &argv, &argc) == 0)
                strv_free(argv, argc);
        free(buf);
        return 0;
}
