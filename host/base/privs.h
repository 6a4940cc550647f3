/* privs: give up privileges once the privileged part of a run is over. */
#pragma once

#include <stdbool.h>

/* Drop every capability from the effective, permitted and inheritable sets and
 * set no_new_privs. Returns 0 or -errno; on failure *ret_err (if not NULL) says
 * what was refused and which capabilities are still held. */
int privs_drop_all(char **ret_err);

/* Keep only what re-reading the node needs, where held: CAP_DAC_READ_SEARCH (files
 * and /proc/PID/fd of any owner) and CAP_SYS_PTRACE (/proc/PID of other users'
 * processes). Nothing that can change the system stays: no CAP_SYS_ADMIN,
 * CAP_BPF, CAP_NET_ADMIN or CAP_DAC_OVERRIDE. Sets no_new_privs. Returns 0 or
 * -errno, with *ret_err as for privs_drop_all(). */
int privs_drop_to_readers(char **ret_err);

/* The watch's prober (collect/prober.h): keep only what entering another network
 * namespace and starting probe children as nobody need, where held:
 * CAP_SYS_ADMIN (setns), CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (other processes'
 * namespaces), CAP_SETUID and CAP_SETGID. Sets no_new_privs. Returns as above. */
int privs_drop_to_prober(char **ret_err);
