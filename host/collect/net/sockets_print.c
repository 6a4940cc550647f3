/* sockets_print: how listeners are named (shared with the checks) and the `nodeward sockets` output. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "collect/net/sockets.h"
#include "base/util.h"

void listener_addr_str(const struct listener *l, char *buf, size_t size)
{
        char a[INET6_ADDRSTRLEN];
        if (l->family == AF_INET) {
                inet_ntop(AF_INET, l->addr, a, sizeof(a));
                snprintf(buf, size, "%s", a);
                return;
        }
        static const uint8_t any[16];
        /* As ss prints it: "*" is the IPv6 wildcard that also accepts IPv4. */
        if (!l->v6only && memcmp(l->addr, any, 16) == 0) {
                snprintf(buf, size, "*");
                return;
        }
        inet_ntop(AF_INET6, l->addr, a, sizeof(a));
        snprintf(buf, size, "[%s]", a);
}

void listener_str(const struct sockets *s, const struct listener *l, char *buf, size_t size)
{
        char a[64];
        listener_addr_str(l, a, sizeof(a));
        snprintf(buf, size, "%s %s%s%s:%u", l->proto == IPPROTO_TCP ? "tcp" : "udp", a, l->ifindex ? "%" : "",
                 l->ifindex ? sockets_ifname(s, l->ifindex) : "", l->port);
}

void listener_owners_str(const struct sockets *s, const struct listener *l, char *buf, size_t size)
{
        if (!l->n_owners) {
                snprintf(buf, size, "owner unknown");
                return;
        }
        size_t off = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < l->n_owners && off + 1 < size; i++) {
                const struct sock_owner *o = &s->owners[l->owner0 + i];
                if (i > 0 && o->pid == o[-1].pid)
                        continue;
                int n = snprintf(buf + off, size - off, "%spid %d %s", off ? ", " : "", (int)o->pid, o->comm);
                if (n < 0)
                        break;
                off += (size_t)n;
        }
}

bool listener_is_wildcard(const struct listener *l)
{
        static const uint8_t any[16];
        return memcmp(l->addr, any, l->family == AF_INET ? 4 : 16) == 0;
}

bool listener_is_loopback(const struct listener *l)
{
        if (l->family == AF_INET)
                return l->addr[0] == 127;
        static const uint8_t lo6[16] = {[15] = 1};
        static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
        if (memcmp(l->addr, lo6, 16) == 0)
                return true;
        return memcmp(l->addr, mapped, 12) == 0 && l->addr[12] == 127;
}

bool listener_owned_by(const struct sockets *s, const struct listener *l, const char *comm)
{
        for (size_t i = 0; i < l->n_owners; i++)
                if (strcmp(s->owners[l->owner0 + i].comm, comm) == 0)
                        return true;
        return false;
}

/* A process name is whatever the process chose: keep the output one line per socket. */
static void put_name(FILE *out, const char *name, bool json)
{
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
                if (json && (*p == '"' || *p == '\\'))
                        fprintf(out, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(out, json ? "\\u%04x" : "?", *p);
                else
                        fputc(*p, out);
        }
}

/* The text listing is built by hand into one line buffer: on a node with tens
 * of thousands of sockets, printf per field is most of the user time. */
struct line {
        char b[1024];
        size_t n;
};

static void put(struct line *l, const char *s, size_t n)
{
        if (n > sizeof(l->b) - 1 - l->n)
                n = sizeof(l->b) - 1 - l->n;
        memcpy(l->b + l->n, s, n);
        l->n += n;
}

static void put_s(struct line *l, const char *s)
{
        put(l, s, strlen(s));
}

static void put_u(struct line *l, unsigned long v)
{
        char d[24];
        size_t i = sizeof(d);
        do
                d[--i] = (char)('0' + v % 10);
        while ((v /= 10) && i);
        put(l, d + i, sizeof(d) - i);
}

static void put_safe(struct line *l, const char *s)
{
        for (; *s && l->n < sizeof(l->b) - 1; s++)
                l->b[l->n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
}

#define ADDR_COLUMN 24

void sockets_print_text(FILE *out, const struct sockets *s)
{
        fprintf(out, "%-5s %-6s %-*s %s\n", "Netid", "State", ADDR_COLUMN, "Local Address:Port", "Process");
        char addr[64] = "";
        const struct listener *prev = NULL;
        struct line ln;
        for (size_t i = 0; i < s->n; i++) {
                const struct listener *l = &s->v[i];
                /* Sorted by address, so each distinct one is formatted once. */
                if (!prev || prev->family != l->family || prev->v6only != l->v6only ||
                    memcmp(prev->addr, l->addr, 16) != 0)
                        listener_addr_str(l, addr, sizeof(addr));
                prev = l;
                ln.n = 0;
                put_s(&ln, l->proto == IPPROTO_TCP ? "tcp   LISTEN " : "udp   UNCONN ");
                size_t start = ln.n;
                put_s(&ln, addr);
                if (l->ifindex) {
                        put(&ln, "%", 1);
                        put_s(&ln, sockets_ifname(s, l->ifindex));
                }
                put(&ln, ":", 1);
                put_u(&ln, l->port);
                do
                        put(&ln, " ", 1);
                while (ln.n - start < ADDR_COLUMN + 1);
                for (size_t k = 0; k < l->n_owners; k++) {
                        const struct sock_owner *o = &s->owners[l->owner0 + k];
                        put_s(&ln, k ? ",(\"" : "users:((\"");
                        put_safe(&ln, o->comm);
                        put_s(&ln, "\",pid=");
                        put_u(&ln, (unsigned long)o->pid);
                        put_s(&ln, ",fd=");
                        put_u(&ln, (unsigned long)o->fd);
                        put(&ln, ")", 1);
                }
                if (l->n_owners)
                        put(&ln, ")", 1);
                while (ln.n && ln.b[ln.n - 1] == ' ')
                        ln.n--;
                ln.b[ln.n++] = '\n';
                fwrite_unlocked(ln.b, 1, ln.n, out);
        }
}

static void json_str_or_null(FILE *out, const char *s)
{
        if (!s) {
                fputs("null", out);
                return;
        }
        fputc('"', out);
        put_name(out, s, true);
        fputc('"', out);
}

/* Streamed, not built as a tree: a node with tens of thousands of sockets must
 * not cost tens of megabytes. */
void sockets_print_json(FILE *out, const struct sockets *s)
{
        fputs("{\"schema\":\"nodeward.sockets/v1\",\"netns\":", out);
        json_str_or_null(out, s->netns);
        fputs(",\"error\":", out);
        json_str_or_null(out, s->error);
        fputs(",\"owners_error\":", out);
        json_str_or_null(out, s->owners_error);
        fputs(",\"sockets\":[", out);
        for (size_t i = 0; i < s->n; i++) {
                const struct listener *l = &s->v[i];
                char a[64];
                listener_addr_str(l, a, sizeof(a));
                bool tcp = l->proto == IPPROTO_TCP;
                fprintf(out,
                        "%s\n{\"proto\":\"%s\",\"family\":\"%s\",\"state\":\"%s\",\"address\":\"%s\","
                        "\"port\":%u,\"interface\":",
                        i ? "," : "", tcp ? "tcp" : "udp", l->family == AF_INET ? "ipv4" : "ipv6",
                        tcp ? "LISTEN" : "UNCONN", a, l->port);
                json_str_or_null(out, l->ifindex ? sockets_ifname(s, l->ifindex) : NULL);
                fprintf(out, ",\"v6only\":%s,\"inode\":%u,\"uid\":%u,\"owners\":[", l->v6only ? "true" : "false",
                        l->inode, l->uid);
                for (size_t k = 0; k < l->n_owners; k++) {
                        const struct sock_owner *o = &s->owners[l->owner0 + k];
                        fprintf(out, "%s{\"pid\":%d,\"fd\":%d,\"name\":", k ? "," : "", (int)o->pid, o->fd);
                        json_str_or_null(out, o->comm);
                        fputc('}', out);
                }
                fputs("]}", out);
        }
        fputs("\n]}\n", out);
}
