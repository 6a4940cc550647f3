/* sysctl: the kernel settings the kubelet's protectKernelDefaults depends on, read from PROC/sys. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/rootfs.h"

/* The settings setupKernelTunables() in kubernetes pkg/kubelet/cm/container_manager_linux.go
 * compares (constants from component-helpers/node/util/sysctl). */
enum ksysctl {
        KSYS_VM_OVERCOMMIT_MEMORY,
        KSYS_VM_PANIC_ON_OOM,
        KSYS_KERNEL_PANIC,
        KSYS_KERNEL_PANIC_ON_OOPS,
        KSYS_KEYS_ROOT_MAXKEYS,
        KSYS_KEYS_ROOT_MAXBYTES,
        KSYS__COUNT
};

struct ksysctl_def {
        const char *name; /* "vm.overcommit_memory" */
        const char *path; /* relative to PROC: "sys/vm/overcommit_memory" */
        long want;        /* what the kubelet requires */
};

extern const struct ksysctl_def ksysctl_defs[KSYS__COUNT];

struct sysctl_value {
        int err; /* 0, or -errno reading or parsing it */
        long value;
};

struct sysctl_facts {
        char *proc_path; /* for evidence: where they were read */
        struct sysctl_value v[KSYS__COUNT];
};

/* Parse a /proc/sys integer as the kubelet does (strconv.Atoi of the trimmed text). */
int sysctl_parse_int(const char *buf, size_t len, long *ret);

/* Read one setting by its dotted name ("net.ipv4.ip_forward") from @proc's sys/
 * directory: the text with surrounding whitespace trimmed (capped; -EFBIG beyond). */
int sysctl_read_live(const struct rootfs *proc, const char *name, char **ret_value);

/* Read every setting under @proc (a procfs, or a fixture's proc/ directory). */
void sysctl_collect(const struct rootfs *proc, const char *proc_path, struct sysctl_facts *ret);
void sysctl_facts_free(struct sysctl_facts *s);
