/* dns: a host name resolved as the node would, from its own /etc/hosts and resolv.conf under the root, bounded in time. */
#define _GNU_SOURCE
#include "base/dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "base/util.h"

#define RESOLV_CONF_CAP (64u * 1024u)
#define HOSTS_CAP (1024u * 1024u)
/* systemd-resolved's stub listener: it answers only inside the node's own network
 * namespace, so the upstream servers resolved lists are asked instead. */
#define RESOLVED_STUB "127.0.0.53"
#define RESOLVED_UPSTREAM "/run/systemd/resolve/resolv.conf"

/* glibc's res_init: a number after "name:", clamped to [lo, hi]. */
static int option_value(const char *opt, const char *name, int lo, int hi, int *ret)
{
        size_t n = strlen(name);
        if (strncmp(opt, name, n) != 0)
                return 0;
        long v = strtol(opt + n, NULL, 10);
        *ret = v < lo ? lo : v > hi ? hi : (int)v;
        return 1;
}

static void conf_server(struct dns_conf *c, const char *a)
{
        struct dns_server s = {0};
        if (!a || c->n_servers >= DNS_MAX_SERVERS)
                return;
        if (inet_pton(AF_INET, a, s.addr) == 1)
                s.family = AF_INET;
        else if (inet_pton(AF_INET6, a, s.addr) == 1)
                s.family = AF_INET6;
        else
                return; /* also fe80::1%eth0: c-ares takes no scope, so such a server is not asked */
        c->servers[c->n_servers++] = s;
}

static void conf_line(char *l, struct dns_conf *c)
{
        /* Keywords start the line; ';' and '#' start a comment line. */
        if (*l == ' ' || *l == '\t')
                return;
        char *save = NULL, *kw = strtok_r(l, " \t\r", &save), *t;
        if (!kw)
                return;
        if (strcmp(kw, "nameserver") == 0) {
                conf_server(c, strtok_r(NULL, " \t\r", &save));
        } else if (strcmp(kw, "search") == 0 || strcmp(kw, "domain") == 0) {
                bool domain = kw[0] == 'd';
                c->n_search = 0; /* the last search or domain line wins */
                while ((t = strtok_r(NULL, " \t\r", &save)) && c->n_search < DNS_MAX_SEARCH) {
                        if (strlen(t) < DNS_NAME_MAX && strcmp(t, ".") != 0)
                                snprintf(c->search[c->n_search++], DNS_NAME_MAX, "%s", t);
                        if (domain)
                                break;
                }
        } else if (strcmp(kw, "options") == 0) {
                while ((t = strtok_r(NULL, " \t\r", &save))) {
                        if (!option_value(t, "ndots:", 0, 15, &c->ndots) &&
                            !option_value(t, "timeout:", 1, 30, &c->timeout_s) &&
                            !option_value(t, "attempts:", 1, 5, &c->attempts) && strcmp(t, "rotate") == 0)
                                c->rotate = true;
                }
        }
}

void dns_conf_parse(const char *buf, struct dns_conf *ret)
{
        struct dns_conf c = {.ndots = 1, .timeout_s = 5, .attempts = 2};
        _cleanup_free_ char *copy = xstrdup(buf ? buf : "");
        char *save = NULL;
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                conf_line(l, &c);
        if (c.n_servers == 0) {
                c.servers[0] = (struct dns_server){.family = AF_INET, .addr = {127, 0, 0, 1}};
                c.n_servers = 1;
                c.defaulted_server = true;
        }
        *ret = c;
}

static bool add_addr(char addrs[][INET6_ADDRSTRLEN], size_t *n, size_t max, const char *text)
{
        for (size_t i = 0; i < *n; i++)
                if (strcmp(addrs[i], text) == 0)
                        return true;
        if (*n >= max)
                return false;
        snprintf(addrs[(*n)++], INET6_ADDRSTRLEN, "%s", text);
        return true;
}

/* An address as canonical text, or false. */
static bool addr_text(const char *a, char text[INET6_ADDRSTRLEN])
{
        unsigned char bin[16];
        int af = inet_pton(AF_INET, a, bin) == 1 ? AF_INET : inet_pton(AF_INET6, a, bin) == 1 ? AF_INET6 : 0;
        return af && inet_ntop(af, bin, text, INET6_ADDRSTRLEN);
}

size_t dns_hosts_lookup(const char *buf, const char *name, char ret_addrs[][INET6_ADDRSTRLEN], size_t max)
{
        size_t n = 0;
        _cleanup_free_ char *copy = xstrdup(buf ? buf : "");
        char *save = NULL;
        for (char *l = strtok_r(copy, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save)) {
                l[strcspn(l, "#")] = '\0';
                char *s2 = NULL, *addr = strtok_r(l, " \t\r", &s2), text[INET6_ADDRSTRLEN];
                if (!addr || !addr_text(addr, text))
                        continue;
                for (char *h; (h = strtok_r(NULL, " \t\r", &s2));)
                        if (strcasecmp(h, name) == 0) {
                                add_addr(ret_addrs, &n, max, text);
                                break;
                        }
        }
        return n;
}

/* The servers to ask: ROOT/etc/resolv.conf, or resolved's upstream list when that
 * file names only resolved's stub. Describes the choice in @via. */
static void conf_load(const struct rootfs *root, struct dns_conf *c, char *via, size_t via_size)
{
        _cleanup_free_ char *buf = NULL, *up = NULL;
        const char *from = "/etc/resolv.conf";
        int r = rootfs_read_file(root, from, RESOLV_CONF_CAP, &buf, NULL, NULL);
        dns_conf_parse(r < 0 ? "" : buf, c);
        char first[INET6_ADDRSTRLEN] = "";
        inet_ntop(c->servers[0].family, c->servers[0].addr, first, sizeof(first));
        if (c->n_servers == 1 && strcmp(first, RESOLVED_STUB) == 0 &&
            rootfs_read_file(root, RESOLVED_UPSTREAM, RESOLV_CONF_CAP, &up, NULL, NULL) == 0) {
                struct dns_conf u;
                dns_conf_parse(up, &u);
                if (!u.defaulted_server) {
                        *c = u;
                        from = RESOLVED_UPSTREAM;
                }
        }
        struct strbuf sb = {0};
        sb_puts(&sb, "DNS ");
        for (size_t i = 0; i < c->n_servers; i++) {
                char t[INET6_ADDRSTRLEN];
                inet_ntop(c->servers[i].family, c->servers[i].addr, t, sizeof(t));
                sb_printf(&sb, "%s%s", i ? ", " : "", t);
        }
        if (c->defaulted_server)
                sb_printf(&sb, " (%s: %s)", from, r < 0 ? rootfs_strerror(r) : "no nameserver, glibc's default");
        else
                sb_printf(&sb, " (%s)", from);
        snprintf(via, via_size, "%s", sb.buf);
        sb_free(&sb);
}

struct query {
        bool done;
        int status;
        struct dns_answer *ans;
};

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
        (void)timeouts;
        struct query *q = arg;
        q->done = true;
        q->status = status;
        if (!res)
                return;
        for (struct ares_addrinfo_node *i = res->nodes; i; i = i->ai_next) {
                const void *a = i->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)i->ai_addr)->sin6_addr
                                                         : (const void *)&((struct sockaddr_in *)i->ai_addr)->sin_addr;
                char t[INET6_ADDRSTRLEN];
                if ((i->ai_family == AF_INET || i->ai_family == AF_INET6) && inet_ntop(i->ai_family, a, t, sizeof(t)))
                        add_addr(q->ans->addrs, &q->ans->n, DNS_MAX_ADDRS, t);
        }
        ares_freeaddrinfo(res);
}

/* Everything comes from @c: with every option given, c-ares reads no resolv.conf,
 * nsswitch.conf or hosts file of its own ("b": DNS only). */
static int channel_open(const struct dns_conf *c, int deadline_ms, ares_channel *ret)
{
        char *domains[DNS_MAX_SEARCH];
        for (size_t i = 0; i < c->n_search; i++)
                domains[i] = (char *)c->search[i];
        /* A try may not take the whole deadline: a silent first server must leave
         * time for the next one. */
        int per_try = deadline_ms / (int)c->n_servers;
        per_try = per_try < 200 ? 200 : per_try > c->timeout_s * 1000 ? c->timeout_s * 1000 : per_try;
        struct ares_options o = {.flags = 0,
                                 .timeout = per_try,
                                 .tries = c->attempts,
                                 .ndots = c->ndots,
                                 .domains = domains,
                                 .ndomains = (int)c->n_search,
                                 .lookups = (char *)"b",
                                 .servers = NULL,
                                 .nservers = 0,
                                 .sortlist = NULL,
                                 .nsort = 0};
        int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS | ARES_OPT_DOMAINS |
                   ARES_OPT_LOOKUPS | ARES_OPT_SERVERS | ARES_OPT_SORTLIST |
                   (c->rotate ? ARES_OPT_ROTATE : ARES_OPT_NOROTATE);
        /* c-ares 1.18 keys its query ids from /dev/urandom and falls back to rand()
         * where there is none (an empty chroot): seed that from the kernel. */
        unsigned seed;
        if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
                srand(seed);
        ares_channel ch;
        if (ares_init_options(&ch, &o, mask) != ARES_SUCCESS)
                return -ENOMEM;
        struct ares_addr_port_node nodes[DNS_MAX_SERVERS];
        for (size_t i = 0; i < c->n_servers; i++) {
                nodes[i] = (struct ares_addr_port_node){.next = i + 1 < c->n_servers ? &nodes[i + 1] : NULL,
                                                        .family = c->servers[i].family,
                                                        .udp_port = 53,
                                                        .tcp_port = 53};
                memcpy(&nodes[i].addr, c->servers[i].addr, c->servers[i].family == AF_INET ? 4 : 16);
        }
        if (ares_set_servers_ports(ch, nodes) != ARES_SUCCESS) {
                ares_destroy(ch);
                return -ENOMEM;
        }
        *ret = ch;
        return 0;
}

/* Drive the channel until the query completes or the deadline passes. */
static int channel_wait(ares_channel ch, struct query *q, int64_t deadline)
{
        while (!q->done) {
                int64_t left = deadline - mono_ms();
                if (left <= 0) {
                        ares_cancel(ch);
                        return -ETIMEDOUT;
                }
                ares_socket_t socks[ARES_GETSOCK_MAXNUM];
                struct pollfd pfd[ARES_GETSOCK_MAXNUM];
                /* The bits by hand: c-ares' ARES_GETSOCK_WRITABLE shifts a signed 1 into bit 31. */
                unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
                int n = 0;
                for (unsigned i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
                        short ev = (short)((bits & (1u << i) ? POLLIN : 0) |
                                           (bits & (1u << (i + ARES_GETSOCK_MAXNUM)) ? POLLOUT : 0));
                        if (ev)
                                pfd[n++] = (struct pollfd){.fd = socks[i], .events = ev};
                }
                struct timeval max = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000}, tv;
                struct timeval *t = ares_timeout(ch, &max, &tv);
                int ms = (int)(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000);
                int r = poll(pfd, (nfds_t)n, ms);
                if (r < 0 && errno != EINTR) {
                        r = -errno;
                        ares_cancel(ch);
                        return r;
                }
                if (r <= 0) {
                        ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
                        continue;
                }
                for (int i = 0; i < n; i++)
                        ares_process_fd(ch, pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD,
                                        pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
        }
        return 0;
}

static int status_errno(int status)
{
        switch (status) {
        case ARES_SUCCESS: return 0;
        case ARES_ENOTFOUND: return -ENOENT;
        case ARES_ENODATA: return -ENODATA;
        case ARES_ETIMEOUT: return -ETIMEDOUT;
        case ARES_ECONNREFUSED:
        case ARES_EREFUSED: return -ECONNREFUSED;
        case ARES_EBADNAME: return -EINVAL;
        case ARES_ENOMEM: return -ENOMEM;
        default: return -EIO;
        }
}

static int ask_dns(const struct dns_conf *c, const char *name, int deadline_ms, struct dns_answer *ans)
{
        int64_t deadline = mono_ms() + deadline_ms;
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
                return -ENOMEM;
        ares_channel ch;
        int r = channel_open(c, deadline_ms, &ch);
        if (r == 0) {
                struct query q = {.ans = ans};
                struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
                ares_getaddrinfo(ch, name, NULL, &hints, on_addrinfo, &q);
                r = channel_wait(ch, &q, deadline);
                if (r == 0)
                        r = status_errno(q.status);
                ares_destroy(ch);
        }
        ares_library_cleanup();
        if (r == 0 && ans->n == 0)
                r = -ENODATA;
        return r;
}

int dns_resolve(const struct rootfs *root, const char *name, int deadline_ms, struct dns_answer *ret)
{
        memset(ret, 0, sizeof(*ret));
        char text[INET6_ADDRSTRLEN];
        if (addr_text(name, text)) {
                add_addr(ret->addrs, &ret->n, DNS_MAX_ADDRS, text);
                snprintf(ret->via, sizeof(ret->via), "address literal");
                return 0;
        }
        char host[DNS_NAME_MAX];
        size_t len = strlen(name);
        if (len > 0 && name[len - 1] == '.')
                len--; /* the root label: "api.example.com." is "api.example.com" */
        if (len == 0 || len >= sizeof(host))
                return -EINVAL;
        memcpy(host, name, len);
        host[len] = '\0';
        /* nsswitch's usual "hosts: files dns": the node's hosts file first. */
        _cleanup_free_ char *hosts = NULL;
        if (rootfs_read_file(root, "/etc/hosts", HOSTS_CAP, &hosts, NULL, NULL) == 0 &&
            (ret->n = dns_hosts_lookup(hosts, host, ret->addrs, DNS_MAX_ADDRS)) > 0) {
                snprintf(ret->via, sizeof(ret->via), "/etc/hosts");
                return 0;
        }
        struct dns_conf c;
        conf_load(root, &c, ret->via, sizeof(ret->via));
        if (deadline_ms <= 0)
                return -ETIMEDOUT;
        return ask_dns(&c, host, deadline_ms, ret);
}

const char *dns_strerror(int negerr)
{
        switch (negerr) {
        case -ENOENT: return "no such host (NXDOMAIN)";
        case -ENODATA: return "the name has no address";
        case -ETIMEDOUT: return "no answer before the deadline";
        case -ECONNREFUSED: return "the servers refused or could not be reached";
        case -EINVAL: return "not a valid host name";
        case -EIO: return "server failure";
        default: return strerror(-negerr);
        }
}
