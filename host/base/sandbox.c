/* sandbox: nodeward's own seccomp allowlist, installed once the privileged setup is done. */
#define _GNU_SOURCE
#include "base/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <linux/sockios.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

#define R (1u << SANDBOX_REPORT)
#define W (1u << SANDBOX_WATCH)
#define ANY (-1)

/* One row per allowed call, or per allowed argument pattern of a call (rows of
 * the same call are alternatives): (argument @arg & @mask) == @value. A call
 * the running kernel's architecture does not have is left out. To allow one
 * more call, add one row. */
static const struct sandbox_rule {
        const char *name;
        unsigned phases;
        int arg;
        uint64_t mask, value;
} sandbox_rules[] = {
        /* memory, threads, time, signals: what libc itself does */
        {"brk", R | W, ANY, 0, 0},
        {"mmap", R | W, ANY, 0, 0},
        {"munmap", R | W, ANY, 0, 0},
        {"mremap", R | W, ANY, 0, 0},
        {"madvise", R | W, ANY, 0, 0},
        {"mprotect", R | W, ANY, 0, 0},
        {"futex", R | W, ANY, 0, 0},
        {"set_robust_list", R | W, ANY, 0, 0},
        {"rseq", R | W, ANY, 0, 0},
        {"sched_yield", R | W, ANY, 0, 0},
        {"sched_getaffinity", R | W, ANY, 0, 0},
        {"getrandom", R | W, ANY, 0, 0},
        {"clock_gettime", R | W, ANY, 0, 0},
        {"clock_nanosleep", R | W, ANY, 0, 0},
        {"nanosleep", R | W, ANY, 0, 0},
        {"gettimeofday", R | W, ANY, 0, 0},
        {"time", R | W, ANY, 0, 0},
        {"rt_sigreturn", R | W, ANY, 0, 0},
        {"rt_sigprocmask", R | W, ANY, 0, 0},
        {"rt_sigaction", R | W, ANY, 0, 0},
        {"getpid", R | W, ANY, 0, 0},
        {"gettid", R | W, ANY, 0, 0},
        {"getuid", R | W, ANY, 0, 0},
        {"geteuid", R | W, ANY, 0, 0},
        {"getgid", R | W, ANY, 0, 0},
        {"getegid", R | W, ANY, 0, 0},
        {"uname", R | W, ANY, 0, 0},
        {"sysinfo", W, ANY, 0, 0}, /* OpenSSL, setting up a TLS context (watch --publish) */
        {"capget", R | W, ANY, 0, 0},
        {"exit", R | W, ANY, 0, 0},
        {"exit_group", R | W, ANY, 0, 0},
        {"prctl", R | W, 0, ~0ull, PR_GET_NO_NEW_PRIVS},
        /* Worker threads only (CLONE_THREAD), no new process. */
        {"clone", W, 0, CLONE_THREAD, CLONE_THREAD},
        /* the watch's prober (host/collect/prober.c), reaped when it ends */
        {"wait4", W, ANY, 0, 0},
        /* fds already held, and files */
        {"read", R | W, ANY, 0, 0},
        {"pread64", R | W, ANY, 0, 0},
        {"readv", R | W, ANY, 0, 0},
        {"write", R | W, ANY, 0, 0},
        {"writev", R | W, ANY, 0, 0},
        {"close", R | W, ANY, 0, 0},
        {"lseek", R | W, ANY, 0, 0},
        {"fstat", R | W, ANY, 0, 0},
        {"newfstatat", R | W, ANY, 0, 0},
        {"statx", R | W, ANY, 0, 0},
        {"fstatfs", R | W, ANY, 0, 0},
        {"fcntl", R | W, ANY, 0, 0},
        {"dup", R | W, ANY, 0, 0},
        {"fsync", R | W, ANY, 0, 0},
        {"fdatasync", R | W, ANY, 0, 0},
        {"fchmod", R | W, ANY, 0, 0},
        {"ioctl", R | W, 1, ~0ull, TCGETS},
        {"ioctl", R | W, 1, ~0ull, TIOCGWINSZ},
        {"ioctl", W, 1, ~0ull, 0xb701},      /* NS_GET_NSTYPE, on namespace fds already open */
        {"ioctl", W, 1, ~0ull, SIOCGIFNAME}, /* an interface index named, as ss does */
        /* open: read-only, or a new file (the textfile's and state's temporary one) */
        {"openat", R | W, 2, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY},
        {"openat", R | W, 2, O_ACCMODE | O_CREAT | O_TRUNC | O_EXCL, O_RDWR | O_CREAT | O_EXCL},
        {"getdents64", W, ANY, 0, 0},
        {"readlink", W, ANY, 0, 0},
        {"readlinkat", W, ANY, 0, 0},
        /* the textfile's temporary file, by name inside its directory's fd (host/base/textfile.c) */
        {"renameat", R | W, ANY, 0, 0},
        {"renameat2", R | W, 4, ~0ull, 0},
        {"unlinkat", R | W, 2, ~0ull, 0},
        /* sockets already open (netlink), and TCP out (watch --publish) */
        {"socket", W, 0, ~0ull, AF_INET},
        {"socket", W, 0, ~0ull, AF_INET6},
        {"connect", W, ANY, 0, 0},
        {"getsockopt", W, ANY, 0, 0},
        {"setsockopt", W, ANY, 0, 0},
        {"getsockname", W, ANY, 0, 0},
        {"getpeername", W, ANY, 0, 0},
        {"sendto", W, ANY, 0, 0},
        {"recvfrom", W, ANY, 0, 0},
        {"sendmsg", W, ANY, 0, 0},
        {"recvmsg", W, ANY, 0, 0},
        {"shutdown", W, ANY, 0, 0},
        {"poll", W, ANY, 0, 0},
        {"ppoll", W, ANY, 0, 0},
        {"epoll_wait", W, ANY, 0, 0},
        {"epoll_pwait", W, ANY, 0, 0},
        /* BPF maps already loaded: read, walk and reset counts; nothing is loaded. */
        {"bpf", W, 0, ~0ull, 1},  /* BPF_MAP_LOOKUP_ELEM */
        {"bpf", W, 0, ~0ull, 2},  /* BPF_MAP_UPDATE_ELEM */
        {"bpf", W, 0, ~0ull, 3},  /* BPF_MAP_DELETE_ELEM */
        {"bpf", W, 0, ~0ull, 4},  /* BPF_MAP_GET_NEXT_KEY */
        {"bpf", W, 0, ~0ull, 15}, /* BPF_OBJ_GET_INFO_BY_FD */
};

static int add_rule(scmp_filter_ctx ctx, const struct sandbox_rule *r, char **ret_err)
{
        int nr = seccomp_syscall_resolve_name(r->name);
        if (nr == __NR_SCMP_ERROR)
                return 0; /* not a call of this architecture */
        int e = r->arg == ANY ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)
                              : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                                 SCMP_CMP((unsigned)r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->value));
        if (e < 0 && e != -EEXIST) {
                *ret_err = xasprintf("seccomp rule for %s: %s", r->name, strerror(-e));
                return e;
        }
        return 0;
}

static bool installed;

bool sandbox_installed(void)
{
        return installed;
}

int sandbox_install(enum sandbox_phase phase, char **ret_err)
{
#if defined(__SANITIZE_ADDRESS__)
        /* make asan's builds only: LeakSanitizer's exit-time check ptraces the
         * process from a helper thread, which no allowlist can admit without
         * admitting everything; the release build (make test) carries the filter. */
        (void)phase;
        if (ret_err)
                *ret_err = NULL;
        return 0;
#endif
        char *err = NULL;
        /* A kernel without seccomp (or an emulator such as valgrind that does not
         * pass it on) says ENOSYS: the caller warns, there is nothing to install. */
        uint32_t action = SECCOMP_RET_KILL_PROCESS;
        if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0 && errno == ENOSYS) {
                if (ret_err)
                        *ret_err = xstrdup("seccomp(2) is not available here (ENOSYS)");
                return -ENOSYS;
        }
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        if (!ctx) {
                if (ret_err)
                        *ret_err = xstrdup("seccomp_init failed");
                return -ENOMEM;
        }
        int r = 0;
        for (size_t i = 0; i < ARRAY_SIZE(sandbox_rules) && r == 0; i++)
                if (sandbox_rules[i].phases & (1u << phase))
                        r = add_rule(ctx, &sandbox_rules[i], &err);

        /* openat2's flags are behind a pointer the filter cannot read: ENOSYS sends
         * host/base/rootfs.c and host/base/procfs.c to their openat walk. clone3's too:
         * ENOSYS makes glibc's pthread_create use clone, whose flags it can read. */
        if (r == 0) {
                static const char *const enosys[] = {"openat2", "clone3"};
                for (size_t i = 0; i < ARRAY_SIZE(enosys) && r == 0; i++) {
                        int nr = seccomp_syscall_resolve_name(enosys[i]);
                        if (nr == __NR_SCMP_ERROR)
                                continue;
                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
                        if (r == -EEXIST)
                                r = 0;
                        if (r < 0)
                                err = xasprintf("seccomp rule for %s: %s", enosys[i], strerror(-r));
                }
        }
        if (r == 0) {
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
                /* Every thread: a collector that passed the run's deadline still runs. */
                if (r == 0)
                        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
                if (r == 0)
                        r = seccomp_load(ctx);
                if (r == 0)
                        installed = true;
                if (r < 0)
                        err = xasprintf("loading the seccomp filter: %s", strerror(-r));
        }
        seccomp_release(ctx);
        if (ret_err)
                *ret_err = err;
        else
                free(err);
        return r < 0 ? r : 0;
}

void sandbox_test_hook(void)
{
#ifdef NODEWARD_TEST_HOOKS
        if (getenv("NODEWARD_TEST_FORBIDDEN_CALL"))
                (void)syscall(SYS_getpgid, 0); /* harmless, and outside every phase's list */
#endif
}

void testhook_stall(const char *stage)
{
#ifdef NODEWARD_TEST_HOOKS
        const char *want = getenv("NODEWARD_TEST_STALL");
        if (want && strcmp(want, stage) == 0)
                for (;;)
                        pause();
#else
        (void)stage;
#endif
}
