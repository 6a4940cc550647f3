/* proc: the process table as read from --proc (a procfs or a fixture of the same shape). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/rootfs.h"

#define PROC_CMDLINE_CAP (256u * 1024u)
#define PROC_MAX_PROCESSES 200000u

struct proc_entry {
        pid_t pid;
        char comm[64];
        char **argv;
        size_t argc;
};

struct proc_table {
        struct proc_entry *v;
        size_t n;
};

/* Read comm and cmdline of every numeric directory under @proc, sorted by pid.
 * Processes that vanish while being read are left out. */
int proc_table_read(const struct rootfs *proc, struct proc_table *ret);
/* The same, reading a cmdline only where the comm is one of @cmdline_of (or a
 * 15-byte comm the kernel cut from one); the others keep their pid and comm. */
int proc_table_read_some(const struct rootfs *proc, const char *const *cmdline_of, size_t n_cmdline_of,
                         struct proc_table *ret);
void proc_table_free(struct proc_table *t);

/* A process as a one-pass source (the eBPF task iterator) lists it. */
struct proc_comm {
        pid_t pid;
        char comm[16];
};
/* The table of @v (pids in any order, comm as the kernel keeps it): a cmdline is
 * read from @proc only as proc_table_read_some() reads one; a process gone by
 * then keeps its comm and an empty argv. */
int proc_table_from_comms(const struct rootfs *proc, const struct proc_comm *v, size_t n, const char *const *cmdline_of,
                          size_t n_cmdline_of, struct proc_table *ret);

/* Is @proc the procfs of nodeward's own pid namespace (its "self" is this process)? */
bool proc_is_own_pid_ns(const struct rootfs *proc);

/* Whether @e's comm or argv[0] basename is @name. */
bool proc_entry_is(const struct proc_entry *e, const char *name);
/* The first process (lowest pid) whose comm or argv[0] basename is @name. */
const struct proc_entry *proc_table_find(const struct proc_table *t, const char *name);

#define PROC_PID_MAX 4194304 /* the kernel's PID_MAX_LIMIT */

/* The pid a PROC entry's name stands for, as the kernel writes it (digits, no
 * leading zero, at most PROC_PID_MAX); 0 for any other name. */
pid_t proc_pid_parse(const char *name);

/* The table of the one process @pid, its comm and cmdline read as the walk reads
 * them: -ESRCH when PROC has neither (no such process, or it is gone). */
int proc_table_read_pid(const struct rootfs *proc, pid_t pid, struct proc_table *ret);

/* The pid a daemon's pid file (@len bytes) holds: what proc_pid_parse() takes, then
 * at most one newline, nothing else ("811\n", as sshd writes it); 0 otherwise. */
pid_t proc_pid_file_parse(const char *buf, size_t len);

/* Split a NUL-separated cmdline into a vector. */
void proc_split_cmdline(const char *buf, size_t len, char ***ret_argv, size_t *ret_argc);

/* The process's working directory as a path on the host (readlink of cwd). */
int proc_read_cwd(const struct rootfs *proc, pid_t pid, char *buf, size_t size);

/* The pid namespace level in a PROC/<pid>/status text: the number of pids its
 * "NSpid:" line lists, less one (0 without the line: a kernel before 4.1, or the
 * initial namespace); -1 for a line with no pid or more than 32 levels. */
int proc_status_nspid_level(const char *status);
