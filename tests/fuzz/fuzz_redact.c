/* fuzz_redact: the redactor over arbitrary text, command lines and JSON: no crash, output linear in input. */
/* fuzz-max-len: 4194304 (ROOTFS_READ_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/redact.h"
#include "base/rootfs.h"

/* Every "://" adds at most "<redacted>@" and "<redacted>" to three input bytes. */
#define MAX_GROWTH(n) (8 * (n) + 32)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > ROOTFS_READ_CAP)
                return 0;
        char *s = malloc(size + 1);
        memcpy(s, data, size);
        s[size] = '\0';
        char *t = redact_text(s);
        if (strlen(t) > MAX_GROWTH(strlen(s)))
                abort();
        free(t);
        /* The same bytes as a command line, one word per line. */
        char *words[256];
        size_t n = 0;
        for (char *save = NULL, *w = strtok_r(s, "\n", &save); w && n < 256; w = strtok_r(NULL, "\n", &save))
                words[n++] = w;
        char **out = redact_argv(words, n);
        for (size_t i = 0; i < n; i++)
                if (strlen(out[i]) > MAX_GROWTH(strlen(words[i])) && strcmp(out[i], REDACTED) != 0)
                        abort();
        strv_free(out, n);
        free(s);
        cJSON *j = cJSON_ParseWithLength((const char *)data, size);
        if (j) {
                redact_json(NULL, j);
                char *p = cJSON_PrintUnformatted(j);
                free(p);
                cJSON_Delete(j);
        }
        return 0;
}
