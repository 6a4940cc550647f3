/* fuzz_proc_status: any PROC/<pid>/status text gives a pid namespace level in 0..32, or -1. */
/* fuzz-max-len: 65536 (the cap PROC/self/status is read with in host/collect/net/sockets_owners.c) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        int level = proc_status_nspid_level(text);
        if (level < -1 || level > 32)
                abort();
        free(text);
        return 0;
}
