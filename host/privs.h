/* privs: give up privileges once the privileged part of a run is over. */
#pragma once

/* Drop every capability from the effective, permitted and inheritable sets and
 * set no_new_privs. Returns 0 or -errno. */
int privs_drop_all(void);

/* Keep only what reading the node needs (CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE,
 * CAP_SYS_PTRACE for /proc/PID/exe and environ), where held; drop the rest,
 * CAP_BPF and CAP_SYS_ADMIN included, and set no_new_privs. Returns 0 or -errno. */
int privs_drop_to_readers(void);
