/* dns: a host name resolved as the node would, from its own /etc/hosts and resolv.conf under the root, bounded in time. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/rootfs.h"

#define DNS_MAX_ADDRS 16
#define DNS_MAX_SERVERS 3 /* glibc's MAXNS: later nameserver lines are ignored */
#define DNS_MAX_SEARCH 6
#define DNS_NAME_MAX 254

struct dns_server {
        int family; /* AF_INET or AF_INET6 */
        unsigned char addr[16];
};

/* What a resolv.conf says, with glibc's defaults for what it does not say. */
struct dns_conf {
        size_t n_servers;
        struct dns_server servers[DNS_MAX_SERVERS];
        size_t n_search;
        char search[DNS_MAX_SEARCH][DNS_NAME_MAX];
        int ndots;     /* options ndots:N, 1 by default, at most 15 */
        int timeout_s; /* options timeout:N, 5 by default, at most 30 */
        int attempts;  /* options attempts:N, 2 by default, at most 5 */
        bool rotate;
        bool defaulted_server; /* no usable nameserver line: 127.0.0.1, as glibc does */
};

struct dns_answer {
        size_t n;
        char addrs[DNS_MAX_ADDRS][INET6_ADDRSTRLEN];
        /* Where the answer came from, or which servers were asked: "/etc/hosts",
         * "DNS 10.0.0.2 (/etc/resolv.conf)". Also set when resolving failed. */
        char via[256];
};

/* Parse resolv.conf(5) text; lines it does not know are ignored, as glibc ignores them. */
void dns_conf_parse(const char *buf, struct dns_conf *ret);

/* Every address /etc/hosts text gives @name (names and aliases, case-insensitive),
 * deduplicated, at most @max; returns how many. */
size_t dns_hosts_lookup(const char *buf, const char *name, char ret_addrs[][INET6_ADDRSTRLEN], size_t max);

/* Resolve @name: an address literal as itself; else ROOT/etc/hosts; else DNS through
 * ROOT/etc/resolv.conf's servers, search list and options, all within @deadline_ms.
 * Never reads this process's own /etc and never uses NSS.
 * -ENOENT no such name (NXDOMAIN or not in hosts), -ENODATA the name has no address,
 * -ETIMEDOUT no answer by the deadline, -ECONNREFUSED the servers refused or were
 * unreachable, -EIO a server failure; @ret->via is set in every case. */
int dns_resolve(const struct rootfs *root, const char *name, int deadline_ms, struct dns_answer *ret);

/* Human text for dns_resolve()'s errors. */
const char *dns_strerror(int negerr);
