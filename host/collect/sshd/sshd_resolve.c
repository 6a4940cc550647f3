/* sshd_resolve: the defaults of sshd_opt_defs[] filled in, listen addresses, sshd -T output, the running sshd's flags. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "collect/sshd/sshd_config.h"
#include "collect/sshd/sshd_internal.h"
#include "base/util.h"

/* What a setting's value is, from its parse type in sshd_opt_defs[]. */
static bool is_list(enum sshd_opt o)
{
        enum sshd_kw_type t = sshd_opt_defs[o].type;
        return t == KW_ACCESS_LIST || t == KW_LIST_FIRST || t == KW_LIST_ACCUM;
}

static bool is_string(enum sshd_opt o)
{
        enum sshd_kw_type t = sshd_opt_defs[o].type;
        return t == KW_STRING || t == KW_RAW_COMMAND;
}

/* A default list entry: the setting stays "not set by any file". */
static void list_add_default(struct sshd_value *v, const char *s)
{
        sshd_list_push(v, xstrdup(s));
}

static void add_listen(struct sshd_config *c, int family, const char *addr, int port)
{
        c->listen = xrealloc(c->listen, (c->n_listen + 1) * sizeof(*c->listen));
        struct sshd_listen *l = &c->listen[c->n_listen++];
        l->family = family;
        l->port = port;
        snprintf(l->addr, sizeof(l->addr), "%s", addr);
}

/* inet_aton() forms ("127.1") and IPv6 with a %scope, as getaddrinfo() takes them. */
static int numeric_addr(const char *a, char *text, size_t size)
{
        struct in_addr v4;
        unsigned char v6[16];
        if (inet_aton(a, &v4)) {
                inet_ntop(AF_INET, &v4, text, (socklen_t)size);
                return AF_INET;
        }
        char head[INET6_ADDRSTRLEN + 1];
        size_t hl = strcspn(a, "%");
        if (hl >= sizeof(head))
                return 0;
        memcpy(head, a, hl);
        head[hl] = '\0';
        if (inet_pton(AF_INET6, head, v6) != 1)
                return 0;
        char canon[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, v6, canon, sizeof(canon));
        snprintf(text, size, "%s%s", canon, a + hl);
        return AF_INET6;
}

/* A host name from ROOT/etc/hosts: IPv4 entries, then IPv6 (what getaddrinfo() gives on a
 * node without global IPv6; DNS and gai.conf are not consulted). */
size_t sshd_hosts_lookup(const char *buf, const char *name, int af, char out[][64], size_t max)
{
        size_t n = 0;
        for (int pass = 0; pass < 2; pass++) {
                int want = pass == 0 ? AF_INET : AF_INET6;
                if ((want == AF_INET6 && af == AF_INET_) || (want == AF_INET && af == AF_INET6_))
                        continue;
                _cleanup_free_ char *copy = xstrdup(buf);
                char *save = NULL;
                for (char *l = strtok_r(copy, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save)) {
                        l[strcspn(l, "#")] = '\0';
                        char *s2 = NULL, *addr = strtok_r(l, " \t", &s2), text[64];
                        if (!addr || numeric_addr(addr, text, sizeof(text)) != want)
                                continue;
                        for (char *h; (h = strtok_r(NULL, " \t", &s2));)
                                if (strcasecmp(h, name) == 0) {
                                        snprintf(out[n++], 64, "%s", text);
                                        break;
                                }
                }
        }
        return n;
}

static size_t hosts_lookup(const struct rootfs *root, const char *name, int af, char out[][64], size_t max)
{
        char *buf;
        if (!root || rootfs_read_file(root, "/etc/hosts", SSHD_HOSTS_CAP, &buf, NULL, NULL) < 0)
                return 0;
        size_t n = sshd_hosts_lookup(buf, name, af, out, max);
        free(buf);
        return n;
}

/* getaddrinfo() for one queued address: canonical text, or an error like sshd's. */
static int resolve_one(struct sshd_config *c, size_t qi, int port)
{
        const char *a = c->queued[qi].addr;
        int af = c->s.v[SO_ADDRESS_FAMILY].num;
        char text[64];
        int family = numeric_addr(a, text, sizeof(text));
        if (family && ((af == AF_INET_ && family != AF_INET) || (af == AF_INET6_ && family != AF_INET6))) {
                c->error = xasprintf("%s line %u: bad addr or host: %s (Address family for hostname not supported)",
                                     c->queued[qi].file, c->queued[qi].line, a);
                return -EINVAL;
        }
        if (family) {
                add_listen(c, family, text, port);
                return 0;
        }
        char found[16][64];
        size_t n = hosts_lookup(c->root, a, af, found, ARRAY_SIZE(found));
        for (size_t i = 0; i < n; i++)
                add_listen(c, strchr(found[i], ':') ? AF_INET6 : AF_INET, found[i], port);
        if (n == 0) /* not in the hosts file: left to DNS, which nodeward does not ask */
                add_listen(c, 0, a, port);
        return 0;
}

static int expand_listen(struct sshd_config *c)
{
        int af = c->s.v[SO_ADDRESS_FAMILY].num;
        if (c->n_queued == 0) {
                for (size_t p = 0; p < c->n_ports; p++) {
                        if (af != AF_INET_)
                                add_listen(c, AF_INET6, "::", c->ports[p]);
                        if (af != AF_INET6_)
                                add_listen(c, AF_INET, "0.0.0.0", c->ports[p]);
                }
                return 0;
        }
        for (size_t i = 0; i < c->n_queued; i++) {
                int r = 0;
                if (c->queued[i].port > 0)
                        r = resolve_one(c, i, c->queued[i].port);
                else
                        for (size_t p = 0; p < c->n_ports && r == 0; p++)
                                r = resolve_one(c, i, c->ports[p]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int sshd_config_fill_defaults(struct sshd_config *c)
{
        for (int o = 0; o < SO__COUNT; o++) {
                struct sshd_value *v = &c->s.v[o];
                const struct sshd_opt_def *d = &sshd_opt_defs[o];
                if (v->set || is_string(o))
                        continue;
                if (!is_list(o)) {
                        v->num = d->def;
                        continue;
                }
                for (size_t i = 0; i < ARRAY_SIZE(d->def_list) && d->def_list[i]; i++)
                        list_add_default(v, d->def_list[i]);
        }
        if (c->n_ports == 0)
                c->ports[c->n_ports++] = 22;
        int r = expand_listen(c);
        if (r < 0)
                return r;
        const struct sshd_value *cmd = &c->s.v[SO_AUTHORIZED_KEYS_COMMAND];
        if (cmd->str && strcasecmp(cmd->str, "none") != 0 && !c->s.v[SO_AUTHORIZED_KEYS_COMMAND_USER].set &&
            !c->error) {
                c->error = xasprintf("%s line %u: AuthorizedKeysCommand set without AuthorizedKeysCommandUser",
                                     cmd->file, cmd->line);
                return -EINVAL;
        }
        return 0;
}

char *sshd_value_text(enum sshd_opt o, const struct sshd_value *v)
{
        const struct sshd_multi *m = sshd_multi_of(o);
        if (is_string(o))
                return xstrdup(v->str ? v->str : "none");
        if (sshd_opt_defs[o].type == KW_PERMIT_USER_ENV)
                return xstrdup(v->str ? v->str : v->num ? "yes" : "no");
        if (is_list(o)) {
                struct strbuf sb = {0};
                for (size_t i = 0; i < v->n; i++)
                        sb_printf(&sb, "%s%s", i ? " " : "", v->list[i]);
                return sb_steal(&sb);
        }
        if (m) {
                for (; m->name; m++)
                        if (m->value == v->num)
                                return xstrdup(m->name);
                return xstrdup("?");
        }
        return xasprintf("%d", v->num);
}

static void dump_opt(const struct sshd_config *c, enum sshd_opt o, FILE *out)
{
        const struct sshd_value *v = &c->s.v[o];
        const char *name = sshd_opt_defs[o].name;
        if (sshd_opt_defs[o].type == KW_ACCESS_LIST) { /* sshd -T: one line per entry */
                for (size_t i = 0; i < v->n; i++)
                        fprintf(out, "%s %s\n", name, v->list[i]);
                return;
        }
        _cleanup_free_ char *t = sshd_value_text(o, v);
        fprintf(out, "%s %s\n", name, t);
}

void sshd_config_dump(const struct sshd_config *c, FILE *out)
{
        for (size_t i = 0; i < c->n_ports; i++)
                fprintf(out, "port %d\n", c->ports[i]);
        dump_opt(c, SO_ADDRESS_FAMILY, out);
        for (size_t i = 0; i < c->n_listen; i++) {
                const struct sshd_listen *l = &c->listen[i];
                fprintf(out, "listenaddress %s%s%s:%d\n", l->family == AF_INET6 ? "[" : "", l->addr,
                        l->family == AF_INET6 ? "]" : "", l->port);
        }
        for (int o = SO_USE_PAM; o < SO__COUNT; o++)
                if (!sshd_opt_defs[o].hidden)
                        dump_opt(c, o, out);
}

size_t sshd_config_ports(const struct sshd_config *c, const int **ret_ports)
{
        *ret_ports = c->ports;
        return c->n_ports;
}

size_t sshd_config_listen(const struct sshd_config *c, const struct sshd_listen **ret)
{
        *ret = c->listen;
        return c->n_listen;
}

/* The listener's argv: a rewritten title "sshd: /usr/sbin/sshd -D [listener] ..." is split back. */
static void listener_argv(const struct proc_entry *e, char ***ret_argv, size_t *ret_argc)
{
        if (e->argc == 1 && str_startswith(e->argv[0], "sshd: ")) {
                _cleanup_free_ char *t = xstrdup(e->argv[0] + strlen("sshd: "));
                char *cut = strstr(t, " [listener]");
                if (cut)
                        *cut = '\0';
                char **v = NULL, *save = NULL;
                size_t n = 0;
                for (char *w = strtok_r(t, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                        v = xrealloc(v, (n + 2) * sizeof(char *));
                        v[n++] = xstrdup(w);
                        v[n] = NULL;
                }
                *ret_argv = v ? v : xcalloc(1, sizeof(char *));
                *ret_argc = n;
                return;
        }
        char **v = xcalloc(e->argc + 1, sizeof(char *));
        for (size_t i = 0; i < e->argc; i++)
                v[i] = xstrdup(e->argv[i]);
        *ret_argv = v;
        *ret_argc = e->argc;
}

bool sshd_proc_is_listener(const struct proc_entry *e)
{
        if (strcmp(e->comm, "sshd") != 0 || e->argc == 0)
                return false;
        const char *a0 = e->argv[0];
        /* Per-connection children ("sshd: user [priv]", "sshd: user@pts/0") do not count. */
        return !(str_startswith(a0, "sshd: ") && !strstr(a0, "[listener]") && a0[6] != '/');
}

static const struct proc_entry *find_sshd(const struct proc_table *t)
{
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n; i++)
                if (sshd_proc_is_listener(&t->v[i]))
                        return &t->v[i];
        return NULL;
}

/* sshd's getopt string "C:E:b:c:f:g:h:k:o:p:u:46DQRTdeiqrtV": -f, -o, -p, -4, -6 count. */
static int apply_cmdline(struct sshd_config *c, char **argv, size_t argc, const char **ret_file)
{
        static const char with_arg[] = "CEbcfghkopu";
        for (size_t i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (a[0] != '-' || !a[1])
                        break;
                if (strcmp(a, "--") == 0)
                        break;
                for (size_t j = 1; a[j]; j++) {
                        int r = 0;
                        if (a[j] == '4' || a[j] == '6')
                                r = sshd_config_parse_option(c, a[j] == '4' ? "AddressFamily inet"
                                                                            : "AddressFamily inet6");
                        if (r < 0)
                                return r;
                        if (!strchr(with_arg, a[j]))
                                continue;
                        const char *val = a[j + 1] ? a + j + 1 : i + 1 < argc ? argv[++i] : NULL;
                        if (!val)
                                return 0;
                        if (a[j] == 'f')
                                *ret_file = val;
                        else if (a[j] == 'o')
                                r = sshd_config_parse_option(c, val);
                        else if (a[j] == 'p')
                                r = sshd_config_add_cmdline_port(c, val);
                        if (r < 0)
                                return r;
                        break;
                }
        }
        return 0;
}

int sshd_config_load(struct sshd_config *c, const struct rootfs *root, const struct proc_table *procs)
{
        memset(c, 0, sizeof(*c));
        c->root = root;
        const char *file = "/etc/ssh/sshd_config";
        const struct proc_entry *e = find_sshd(procs);
        if (e) {
                c->pid = e->pid;
                listener_argv(e, &c->argv, &c->argc);
                if (apply_cmdline(c, c->argv, c->argc, &file) < 0)
                        return 0;
        }
        c->main_path = file[0] == '/' ? xstrdup(file) : path_join("/", file);
        int r = sshd_config_parse_file(c, root, c->main_path);
        if (r == -ENOENT && !c->error)
                return 0;
        c->found = true;
        if (r < 0)
                return 0;
        sshd_config_fill_defaults(c);
        return 0;
}

static void value_free(struct sshd_value *v)
{
        free(v->str);
        strv_free(v->list, v->n);
}

static void settings_free(struct sshd_settings *s)
{
        for (int o = 0; o < SO__COUNT; o++)
                value_free(&s->v[o]);
}

void sshd_config_free(struct sshd_config *c)
{
        if (!c)
                return;
        free(c->main_path);
        strv_free(c->argv, c->argc);
        settings_free(&c->s);
        for (size_t i = 0; i < c->n_queued; i++)
                free(c->queued[i].addr);
        free(c->queued);
        free(c->listen);
        for (size_t i = 0; i < c->n_matches; i++) {
                free(c->matches[i].criteria);
                for (size_t k = 0; k < c->matches[i].n_set; k++)
                        value_free(&c->matches[i].set[k].v);
                free(c->matches[i].set);
        }
        free(c->matches);
        for (size_t i = 0; i < c->n_files; i++)
                free(c->files[i].path);
        free(c->files);
        strv_free(c->warnings, c->n_warnings);
        free(c->error);
        memset(c, 0, sizeof(*c));
}
