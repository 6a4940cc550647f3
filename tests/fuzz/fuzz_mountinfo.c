/* fuzz_mountinfo: /proc/PID/mountinfo text, and container paths mapped through it to the host. */
/* fuzz-max-len: 4194304 (MOUNTINFO_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* The first NUL separates the process's table from the host's. */
        const char *p = (const char *)data;
        const char *nul = memchr(p, '\0', size);
        size_t n1 = nul ? (size_t)(nul - p) : size;
        struct mounts proc, host;
        if (mountinfo_parse(p, n1, &proc) < 0)
                return 0;
        int hr = nul ? mountinfo_parse(nul + 1, size - n1 - 1, &host) : mountinfo_parse(p, n1, &host);
        if (hr == 0) {
                static const char *const paths[] = {"/", "/var/lib/kube-proxy/kubeconfig",
                                                    "/var/lib/kube-proxy-config/config", "/etc/kubernetes/proxy.conf",
                                                    "/a/../b"};
                for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                        char *out = NULL;
                        if (mountinfo_host_path(&proc, &host, paths[i], &out) == 0)
                                free(out);
                }
                /* Every mount point of the process, mapped. */
                for (size_t i = 0; i < proc.n && i < 64; i++) {
                        char *out = NULL;
                        if (mountinfo_host_path(&proc, &host, proc.v[i].mountpoint, &out) == 0)
                                free(out);
                }
                mounts_free(&host);
        }
        mounts_free(&proc);
        return 0;
}
