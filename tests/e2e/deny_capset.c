/* deny_capset: run a command under a seccomp filter that fails capset(2) with EPERM,
 * as systemd's SystemCallFilter=~@privileged (with SystemCallErrorNumber=EPERM) does.
 * Usage: deny_capset COMMAND [ARG]...   Raw classic BPF, so the tests need no libseccomp. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "deny_capset: add this architecture's AUDIT_ARCH_*"
#endif

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: deny_capset COMMAND [ARG]...\n");
                return 2;
        }
        struct sock_filter prog[] = {
                /* Another architecture's syscall numbers mean other calls: kill, as systemd's
                 * SystemCallArchitectures=native does. */
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_capset, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog fprog = {.len = sizeof(prog) / sizeof(prog[0]), .filter = prog};
        /* no_new_privs as in the units (NoNewPrivileges=yes); it also lets a
         * process without CAP_SYS_ADMIN install the filter. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
                fprintf(stderr, "deny_capset: installing the seccomp filter: %s\n", strerror(errno));
                return 2;
        }
        execvp(argv[1], argv + 1);
        fprintf(stderr, "deny_capset: %s: %s\n", argv[1], strerror(errno));
        return 127;
}
