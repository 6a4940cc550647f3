/* sockets: listening TCP and bound UDP sockets (NETLINK_SOCK_DIAG), their owners, node addresses. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/rootfs.h"

/* Hard caps on what a dump may hold: a hostile or broken kernel reply cannot
 * make nodeward grow without bound. */
#define SOCKETS_MAX_LISTENERS (1u << 20)
#define SOCKETS_MAX_OWNERS (1u << 21)
#define SOCKETS_MAX_ADDRS 65536u

/* A process name as the kernel keeps it (TASK_COMM_LEN): 15 bytes and a NUL. */
#define SOCK_COMM_LEN 16

struct sock_owner {
        uint32_t listener; /* index into struct sockets' v */
        pid_t pid;
        int fd;
        char comm[SOCK_COMM_LEN];
};

struct listener {
        uint8_t proto;  /* IPPROTO_TCP or IPPROTO_UDP */
        uint8_t family; /* AF_INET or AF_INET6 */
        bool v6only;
        uint16_t port;
        uint8_t addr[16];
        uint32_t ifindex; /* SO_BINDTODEVICE; 0 when unbound */
        uint32_t inode;
        uint32_t uid;
        uint32_t owner0, n_owners; /* a range of struct sockets' owners (at most SOCKETS_MAX_OWNERS) */
};

struct node_addr {
        uint8_t family;
        uint8_t prefixlen;
        uint8_t addr[16];
        uint32_t ifindex;
};

struct sockets {
        struct listener *v;
        size_t n, cap;
        struct sock_owner *owners; /* sorted by listener, then pid, then fd */
        size_t n_owners, owners_cap;
        char (*ifnames)[IF_NAMESIZE]; /* by position: ifnames[i] names ifidx[i] */
        uint32_t *ifidx;
        size_t n_ifnames;
        struct node_addr *addrs;
        size_t n_addrs;
        char *netns;          /* which namespace was read (its path), for messages */
        char *netns_fallback; /* set when PROC/1/ns/net was out of reach and nodeward read its own */
        char *error;          /* the inventory could not be read: the reason */
        char *owners_error;   /* the owners could not be read (the listing still holds) */
        char *addrs_error;
        unsigned owners_unreadable; /* processes whose fds could not be read */
        const char *owners_via;     /* how the owners were found (a static string), NULL if not */
};

/* The netlink handles opened inside one network namespace. */
struct netns_handles {
        int diag;  /* NETLINK_SOCK_DIAG */
        int route; /* NETLINK_ROUTE */
        int inet;  /* an AF_INET datagram socket, for interface names */
        /* NULL, or why the host's namespace could not be entered and nodeward's
         * own was opened instead (owned; freed by netns_close_handles). */
        char *fallback;
};

enum {
        SOCKETS_OWNERS = 1u << 0,     /* find the owning processes */
        SOCKETS_ALL_OWNERS = 1u << 1, /* every owner (as ss); else stop at the first of each */
        SOCKETS_ADDRS = 1u << 2,      /* node addresses (RTM_GETADDR) */
};

/* Open the handles in the namespace at @netns_path; NULL means the host's,
 * PROC/1/ns/net (where nodeward itself may run in a pod's namespace). Entering
 * another namespace happens in a short-lived thread; the handles stay bound to it. */
int netns_open_handles(const char *netns_path, const struct rootfs *proc, struct netns_handles *ret, char **ret_what,
                       char **ret_err);
void netns_close_handles(struct netns_handles *h);

/* Everything in one call; failures become s->error / owners_error / addrs_error.
 * @proc may be NULL (no owners then). */
void sockets_collect(const char *netns_path, const struct rootfs *proc, unsigned flags, struct sockets *s);
/* The same over handles opened earlier: a long-lived watch keeps them, so re-reading
 * needs no privilege. @what names their namespace. */
void sockets_collect_handles(const struct netns_handles *h, const char *what, const struct rootfs *proc, unsigned flags,
                             struct sockets *s);
void sockets_free(struct sockets *s);

/* The netlink side, given open handles. */
int sockets_dump_listeners(const struct netns_handles *h, struct sockets *s, char **ret_err);
int sockets_dump_addrs(const struct netns_handles *h, struct sockets *s, char **ret_err);

/* Parse one datagram of a sock_diag dump answering request @seq for @proto.
 * Returns 1 when the dump is complete, 0 when more datagrams follow, or -errno
 * for a malformed, truncated or failed reply (never reads outside @buf). */
int sockets_parse_diag(const void *buf, size_t len, uint32_t seq, uint8_t proto, struct sockets *s);
/* The same for one datagram of an RTM_GETADDR dump. */
int sockets_parse_addrs(const void *buf, size_t len, uint32_t seq, struct sockets *s);

/* Owners from PROC/<pid>/fd (links "socket:[INODE]"), read once. */
int sockets_find_owners(const struct rootfs *proc, bool all, struct sockets *s, char **ret_err);

/* Which owners a run needs. The walk reads the @first processes in full (every
 * listener they hold), then the others until each wanted listener has an owner
 * (every owner with @all); with nothing left to find it reads no other process. */
struct owner_query {
        bool all;           /* every owner of every wanted listener, as ss */
        const bool *want;   /* by listener: find its owner; NULL: every listener */
        const pid_t *first; /* e.g. sshd's processes, from the process table */
        size_t n_first;
        const pid_t *pids; /* the processes to walk, ascending (a table read earlier); NULL: list PROC */
        size_t n_pids;
};
int sockets_find_owners_query(const struct rootfs *proc, const struct owner_query *q, struct sockets *s,
                              char **ret_err);
/* The same, a failure kept in s->owners_error; nothing when the listing failed. */
void sockets_add_owners(const struct rootfs *proc, const struct owner_query *q, struct sockets *s);

/* Presentation helpers shared by the command and the checks. */
const char *sockets_ifname(const struct sockets *s, uint32_t ifindex);
/* "0.0.0.0", "127.0.0.1", "[::]", "*" (v6 wildcard that also takes IPv4), "[fe80::1]" */
void listener_addr_str(const struct listener *l, char *buf, size_t size);
/* "tcp 0.0.0.0:22" ("%eth0" after the address when bound to an interface) */
void listener_str(const struct sockets *s, const struct listener *l, char *buf, size_t size);
/* "sshd/811,sshd/900" or "owner unknown" */
void listener_owners_str(const struct sockets *s, const struct listener *l, char *buf, size_t size);
bool listener_is_loopback(const struct listener *l);
bool listener_is_wildcard(const struct listener *l);
bool listener_owned_by(const struct sockets *s, const struct listener *l, const char *comm);

/* `nodeward sockets` output: like `ss -ltnup`, or JSON. */
void sockets_print_text(FILE *out, const struct sockets *s);
void sockets_print_json(FILE *out, const struct sockets *s);
