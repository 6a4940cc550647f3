/* fuzz_os_release: libFuzzer harness for the os-release reader behind the report header and the remediation's flavour (make fuzz). */
/* fuzz-max-len: 65536 (the cap os-release is read with in host/collect/facts.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        static const char *const keys[] = {"ID", "VERSION_ID", "PRETTY_NAME", "I", ""};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                char *v = os_release_field(buf, keys[i]);
                /* One line, bounded, and a value never starts with its own quote left in. */
                if (v && (strlen(v) > 256 || strchr(v, '\n')))
                        abort();
                free(v);
        }
        free(buf);
        return 0;
}
