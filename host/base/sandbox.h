/* sandbox: nodeward's own seccomp allowlist, installed once the privileged setup is done. */
#pragma once

#include <stdbool.h>

/* What the rest of the run still does. */
enum sandbox_phase {
        SANDBOX_REPORT, /* check, once the facts are in: evaluate, render, write the outputs */
        SANDBOX_WATCH,  /* watch's loop: re-read files and /proc, poll the open netlink and BPF
                         * fds, talk TCP (publish), write the textfile, state and JSON lines */
};

/* Install the filter for @phase (and no_new_privs): a system call outside the
 * allowlist kills the process (SIGSYS); openat2, whose flags a filter cannot see,
 * answers ENOSYS so that every later open is an openat checked for read-only or
 * create-new. Returns 0 or -errno with *ret_err saying what failed; -ENOSYS
 * when the kernel has no seccomp at all (a warning, not an error, for callers). */
int sandbox_install(enum sandbox_phase phase, char **ret_err);

/* Whether this process runs under the filter: collectors that would load a BPF
 * program (the socket-owner iterator) take their /proc path instead. */
bool sandbox_installed(void);

/* Test builds only (-DNODEWARD_TEST_HOOKS): with NODEWARD_TEST_FORBIDDEN_CALL set,
 * make one forbidden call (ptrace) right after the filter, which must be killed. */
void sandbox_test_hook(void);
/* Test builds only (nodeward-testhooks): a collector stage named by
 * NODEWARD_TEST_STALL never returns, so a test can pass the run's deadline. */
void testhook_stall(const char *stage);
