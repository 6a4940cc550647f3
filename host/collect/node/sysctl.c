/* sysctl: the kernel settings the kubelet's protectKernelDefaults depends on, read from PROC/sys. */
#define _GNU_SOURCE
#include "collect/node/sysctl.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/procfs.h"
#include "base/util.h"

/* Values of component-helpers/node/util/sysctl: VMOvercommitMemoryAlways,
 * VMPanicOnOOMInvokeOOMKiller, KernelPanicRebootTimeout, KernelPanicOnOopsAlways,
 * RootMaxKeysSetting and RootMaxBytesSetting (25 bytes per key). */
const struct ksysctl_def ksysctl_defs[KSYS__COUNT] = {
        [KSYS_VM_OVERCOMMIT_MEMORY] = {"vm.overcommit_memory", "sys/vm/overcommit_memory", 1},
        [KSYS_VM_PANIC_ON_OOM] = {"vm.panic_on_oom", "sys/vm/panic_on_oom", 0},
        [KSYS_KERNEL_PANIC] = {"kernel.panic", "sys/kernel/panic", 10},
        [KSYS_KERNEL_PANIC_ON_OOPS] = {"kernel.panic_on_oops", "sys/kernel/panic_on_oops", 1},
        [KSYS_KEYS_ROOT_MAXKEYS] = {"kernel.keys.root_maxkeys", "sys/kernel/keys/root_maxkeys", 1000000},
        [KSYS_KEYS_ROOT_MAXBYTES] = {"kernel.keys.root_maxbytes", "sys/kernel/keys/root_maxbytes", 25000000},
};

/* A sysctl file is one short line; anything bigger is not one. */
#define SYSCTL_CAP 64

int sysctl_parse_int(const char *buf, size_t len, long *ret)
{
        while (len && strchr(" \t\r\n\v\f", buf[len - 1]))
                len--;
        while (len && strchr(" \t\r\n\v\f", *buf))
                buf++, len--;
        if (len == 0 || len > 20)
                return -EINVAL;
        char tmp[24];
        memcpy(tmp, buf, len);
        tmp[len] = '\0';
        /* strconv.Atoi: an optional sign and decimal digits only. */
        const char *p = tmp + (tmp[0] == '-' || tmp[0] == '+');
        if (!*p)
                return -EINVAL;
        for (const char *q = p; *q; q++)
                if (*q < '0' || *q > '9')
                        return -EINVAL;
        errno = 0;
        long v = strtol(tmp, NULL, 10);
        if (errno == ERANGE)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* A multi-value setting (net.ipv4.tcp_wmem) is a few numbers; 4 KiB holds any we read. */
#define SYSCTL_LIVE_CAP 4096

int sysctl_read_live(const struct rootfs *proc, const char *name, char **ret_value)
{
        if (!proc || proc->fd < 0)
                return -ENOENT;
        if (!*name || strstr(name, "..") || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        char *rel = xasprintf("sys/%s", name);
        for (char *p = rel + 4; *p; p++)
                *p = *p == '.' ? '/' : *p;
        char *buf = NULL;
        size_t len = 0;
        int r = rootfs_read_file(proc, rel, SYSCTL_LIVE_CAP, &buf, &len, NULL);
        free(rel);
        if (r < 0)
                return r;
        if (memchr(buf, '\0', len)) {
                free(buf);
                return -EINVAL;
        }
        while (len && strchr(" \t\r\n\v\f", buf[len - 1]))
                buf[--len] = '\0';
        size_t lead = strspn(buf, " \t\r\n\v\f");
        memmove(buf, buf + lead, len - lead + 1);
        *ret_value = buf;
        return 0;
}

void sysctl_collect(const struct rootfs *proc, const char *proc_path, struct sysctl_facts *s)
{
        memset(s, 0, sizeof(*s));
        s->proc_path = xstrdup(proc_path ? proc_path : "/proc");
        for (size_t i = 0; i < KSYS__COUNT; i++) {
                char *buf = NULL;
                size_t len = 0;
                int r = proc && proc->fd >= 0 ? procfs_read_file(proc, ksysctl_defs[i].path, SYSCTL_CAP, &buf, &len)
                                              : -ENOENT;
                if (r == 0)
                        r = sysctl_parse_int(buf, len, &s->v[i].value);
                s->v[i].err = r;
                free(buf);
        }
}

void sysctl_facts_free(struct sysctl_facts *s)
{
        if (!s)
                return;
        free(s->proc_path);
        memset(s, 0, sizeof(*s));
}
