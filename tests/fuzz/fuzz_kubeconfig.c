/* fuzz_kubeconfig: the kubelet's kubeconfig, down to the current context's credentials. */
/* fuzz-max-len: 1048576 (KUBECONFIG_READ_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "collect/kubelet/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kubeconfig_auth a;
        char *err = NULL;
        if (size > KUBECONFIG_READ_CAP)
                return 0;
        if (kubeconfig_parse((const char *)data, size, &a, &err) < 0) {
                free(err);
                return 0;
        }
        (void)kubeconfig_auth_name(a.kind);
        kubeconfig_auth_free(&a);
        return 0;
}
