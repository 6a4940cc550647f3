/* fuzz_confdoc: kubelet config documents (JSON and YAML), the merge and the drop-in merge patch. */
/* fuzz-max-len: 4194304 (ROOTFS_READ_CAP, every config file) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/confdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        cJSON *doc = NULL, *base = NULL;
        char *err = NULL;
        if (confdoc_parse((const char *)data, size, &doc, &err) < 0) {
                free(err);
                return 0;
        }
        /* Merge it over a realistic base and over itself, then read checked paths. */
        const char *b = "{\"authentication\":{\"anonymous\":{\"enabled\":false}},\"readOnlyPort\":0}";
        if (confdoc_parse(b, __builtin_strlen(b), &base, &err) == 0) {
                confdoc_merge(base, doc);
                confdoc_merge(base, doc);
                free(confdoc_value_str(confdoc_get(base, "authentication.anonymous.enabled")));
                free(confdoc_value_str(confdoc_get(base, "readOnlyPort")));
                confdoc_set(base, "featureGates.RotateKubeletServerCertificate", cJSON_CreateTrue());
                /* As drop-ins: patched over the base and over a copy of itself. */
                cJSON *self = cJSON_Duplicate(doc, 1);
                confdoc_merge_patch(base, doc);
                confdoc_merge_patch(self, doc);
                const cJSON *v;
                (void)confdoc_lookup(base, "authentication.anonymous.enabled", &v);
                (void)confdoc_lookup(self, "authentication.webhook.enabled", &v);
                confdoc_strip_nulls(self);
                cJSON_Delete(self);
                cJSON_Delete(base);
        }
        cJSON_Delete(doc);
        return 0;
}
