/* fuzz_kube_proxy_config: a KubeProxyConfiguration document and a command line read into the
 * effective metrics address and kubeconfig path; /proc/sys integers. */
/* fuzz-max-len: 1048576 (KUBE_PROXY_CONFIG_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdoc.h"
#include "collect/kubelet/kubeproxy.h"
#include "collect/node/sysctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        long v;
        sysctl_parse_int((const char *)data, size < 64 ? size : 64, &v);
        /* The input doubles as an argv (NUL-separated words) and as a config document. */
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        char *argv[32];
        size_t argc = 0;
        for (char *w = buf; w < buf + size && argc < 32; w += strlen(w) + 1)
                argv[argc++] = w;
        char *m, *mo, *kc, *ko;
        kube_proxy_settings(argv, argc, NULL, NULL, &m, &mo, &kc, &ko);
        free(m), free(mo), free(kc), free(ko);
        cJSON *doc = NULL;
        char *err = NULL;
        if (confdoc_parse((const char *)data, size, &doc, &err) == 0) {
                kube_proxy_settings(argv, argc, doc, "/c", &m, &mo, &kc, &ko);
                free(m), free(mo), free(kc), free(ko);
                cJSON_Delete(doc);
        }
        free(err);
        free(buf);
        return 0;
}
