/* fuzz_kubelet_cmdline: a /proc cmdline split into argv and read as the kubelet's flags. */
/* fuzz-max-len: 262144 (PROC_CMDLINE_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/kubelet/kubelet.h"
#include "base/proc.h"
#include "base/rootfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char **argv;
        size_t argc;
        proc_split_cmdline((const char *)data, size, &argv, &argc);
        cJSON *layer = NULL, *flag_only = NULL;
        char *err = NULL;
        kubelet_flags_layer(argv, argc, &layer, &flag_only, &err);
        cJSON_Delete(layer);
        cJSON_Delete(flag_only);
        free(err);
        strv_free(argv, argc);
        long long ms;
        char *s = strndup((const char *)data, size);
        if (s) {
                go_duration_ms(s, &ms);
                free(s);
        }
        return 0;
}
