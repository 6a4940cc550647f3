/* vmlinux_min.h: the kernel types the programs in bpf/ read, by name only (CO-RE), for every architecture.
 *
 * Written by hand instead of dumped from a build machine's /sys/kernel/btf/vmlinux: a builder
 * without BTF can build, and the arm64 objects do not carry an x86 kernel's layout. Every struct
 * is preserve_access_index, so each field is relocated by name to the running kernel's offset when
 * the program loads; the offsets below are never used as they stand. Only the fields the programs
 * read are declared, with the kernel's types (a load's width must match the field's). No type here
 * differs by architecture: the programs use BPF_PROG (a u64 array), not struct pt_regs.
 *
 * `make VMLINUX_H=/path/to/vmlinux.h` builds against a full header instead. */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u16 __le16;
typedef __u32 __le32;
typedef __u64 __le64;
typedef __u32 __wsum;
typedef unsigned short umode_t;
typedef int pid_t;

typedef _Bool bool;
enum {
        false = 0,
        true = 1,
};

/* uapi constants the programs name (values are ABI). */
enum {
        IPPROTO_TCP = 6,
};

enum bpf_map_type {
        BPF_MAP_TYPE_HASH = 1,
        BPF_MAP_TYPE_PERCPU_ARRAY = 6,
        BPF_MAP_TYPE_LRU_HASH = 9,
        BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
        BPF_ANY = 0,
        BPF_NOEXIST = 1,
        BPF_EXIST = 2,
};

enum {
        BPF_F_NO_PREALLOC = 1,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* connwatch.bpf.c: the socket changing state and the network namespace it lives in. */
struct ns_common {
        unsigned int inum;
};

struct net {
        struct ns_common ns;
};

typedef struct {
        struct net *net;
} possible_net_t;

struct in6_addr {
        union {
                __u8 u6_addr8[16];
                __be16 u6_addr16[8];
                __be32 u6_addr32[4];
        } in6_u;
};

struct sock_common {
        union {
                struct {
                        __be32 skc_daddr;
                        __be32 skc_rcv_saddr;
                };
        };
        union {
                struct {
                        __be16 skc_dport;
                        __u16 skc_num;
                };
        };
        unsigned short skc_family;
        possible_net_t skc_net;
        struct in6_addr skc_v6_daddr;
};

struct sock {
        struct sock_common __sk_common;
};

struct trace_entry {
        unsigned short type;
        unsigned char flags;
        unsigned char preempt_count;
        int pid;
};

struct trace_event_raw_inet_sock_set_state {
        struct trace_entry ent;
        const void *skaddr;
        int oldstate;
        int newstate;
        __u16 sport;
        __u16 dport;
        __u16 family;
        __u16 protocol;
        __u8 saddr[4];
        __u8 daddr[4];
        __u8 saddr_v6[16];
        __u8 daddr_v6[16];
        char __data[0];
};

/* ownerscan.bpf.c: the task and task_file iterators' contexts and what they reach. */
struct seq_file;

struct upid {
        int nr;
        struct pid_namespace *ns;
};

struct pid {
        unsigned int level;
        struct upid numbers[1];
};

struct task_struct {
        pid_t pid;
        pid_t tgid;
        struct task_struct *group_leader;
        struct pid *thread_pid;
        char comm[16];
};

struct inode {
        umode_t i_mode;
        unsigned long i_ino;
};

struct file {
        struct inode *f_inode;
};

struct bpf_iter_meta {
        union {
                struct seq_file *seq;
        };
        u64 session_id;
        u64 seq_num;
};

struct bpf_iter__task_file {
        union {
                struct bpf_iter_meta *meta;
        };
        union {
                struct task_struct *task;
        };
        u32 fd;
        union {
                struct file *file;
        };
};

struct bpf_iter__task {
        union {
                struct bpf_iter_meta *meta;
        };
        union {
                struct task_struct *task;
        };
};

#pragma clang attribute pop

#endif /* __VMLINUX_H__ */
