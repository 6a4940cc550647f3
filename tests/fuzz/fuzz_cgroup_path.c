/* fuzz_cgroup_path: any cgroup path either names a pod with bounded, well-formed fields or is refused. */
/* fuzz-max-len: 65536 (the cap PROC/PID/cgroup is read with in host/base/netns.c) */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/observe/podattr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *path = malloc(size + 1);
        if (!path)
                return 0;
        memcpy(path, data, size);
        path[size] = '\0';
        struct pod_ref p;
        int r = cgroup_path_parse_pod(path, &p);
        if (r != 0 && r != -ENOENT && r != -EINVAL)
                abort();
        /* A pod always has a NUL-terminated UID of UID characters and a QoS class. */
        if (r == 0 && (strnlen(p.uid, sizeof(p.uid)) == sizeof(p.uid) || !p.uid[0] ||
                       strspn(p.uid, "0123456789abcdefABCDEF-") != strlen(p.uid) || !p.qos[0] ||
                       strnlen(p.container_id, sizeof(p.container_id)) == sizeof(p.container_id)))
                abort();
        free(path);
        return 0;
}
