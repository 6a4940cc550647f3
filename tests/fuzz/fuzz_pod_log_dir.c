/* fuzz_pod_log_dir: a /var/log/pods entry either names the pod of a UID (namespace_name_uid) or is refused. */
/* fuzz-max-len: 320 (a UID line of up to 64 characters and its newline, then a directory name of at most NAME_MAX, 255 bytes) */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/observe/podattr.h"

/* What cgroup_path_parse_pod() hands over: UID characters, at most 64. */
static const char *const default_uid = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* "UID\nDIRNAME", or only a directory name for the default UID. */
        const char *nl = memchr(data, '\n', size);
        char uid[65];
        snprintf(uid, sizeof(uid), "%s", default_uid);
        const uint8_t *dir_start = data;
        if (nl) {
                size_t ul = (size_t)(nl - (const char *)data);
                if (ul == 0 || ul >= sizeof(uid))
                        return 0;
                memcpy(uid, data, ul);
                uid[ul] = '\0';
                if (strspn(uid, "0123456789abcdefABCDEF-") != ul)
                        return 0;
                dir_start = (const uint8_t *)nl + 1;
        }
        size_t dl = size - (size_t)(dir_start - data);
        /* A directory entry: no '/', no NUL, at most NAME_MAX bytes. */
        if (dl == 0 || dl > NAME_MAX || memchr(dir_start, '/', dl) || memchr(dir_start, '\0', dl))
                return 0;
        char dir[NAME_MAX + 1];
        memcpy(dir, dir_start, dl);
        dir[dl] = '\0';
        char *ns = NULL, *name = NULL;
        int r = pod_log_dir_parse(dir, uid, &ns, &name);
        if (r != 0 && r != -ENOENT)
                abort();
        if (r == 0) {
                /* The kubelet joins namespace, name and UID with '_'; both are DNS names. */
                char joined[NAME_MAX + 80];
                snprintf(joined, sizeof(joined), "%s_%s_%s", ns, name, uid);
                if (!ns || !name || !*ns || !*name || strcmp(joined, dir) != 0 ||
                    strspn(ns, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(ns) || strlen(ns) > 63 ||
                    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen(name))
                        abort();
        } else if (ns || name) {
                abort();
        }
        free(ns);
        free(name);
        return 0;
}
