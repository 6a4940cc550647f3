/* privs: give up privileges once the privileged part of a run is over. */
#pragma once

#include <stdbool.h>

/* Drop every capability from the effective, permitted and inheritable sets and
 * set no_new_privs. Returns 0 or -errno. */
int privs_drop_all(void);

/* Keep only what reading the node needs (CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE,
 * CAP_SYS_PTRACE for /proc/PID/exe and environ), plus CAP_SYS_ADMIN when
 * @keep_setns (probes that enter pod network namespaces run again later), where
 * held; drop the rest, CAP_BPF and CAP_PERFMON included; set no_new_privs.
 * Returns 0 or -errno. */
int privs_drop_to_readers(bool keep_setns);
