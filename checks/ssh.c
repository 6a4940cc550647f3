/* ssh checks: sshd hardening judged on sshd's effective configuration, its key files and its service. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

/* Gate of every config check: skip without a config, error when sshd would refuse it. */
static const struct sshd_config *config_or_result(const struct facts *f, struct result *r)
{
        const struct sshd_config *c = &f->sshd.cfg;
        if (!c->found && !c->error && f->node.br.is_bottlerocket) {
                result_set(r, ST_SKIP,
                           "Bottlerocket has no host sshd; SSH reaches only the admin container "
                           "(judged by bottlerocket.admin-ssh)");
                return NULL;
        }
        if (!c->found && !c->error) {
                result_set(r, ST_SKIP, "no sshd_config under %s (%s): sshd is not configured on this node",
                           f->root_path ? f->root_path : "/", c->main_path ? c->main_path : "/etc/ssh/sshd_config");
                return NULL;
        }
        if (c->error) {
                result_set(r, ST_ERROR, "sshd would refuse its configuration: %s", c->error);
                return NULL;
        }
        return c;
}

/* "permitrootlogin yes (/etc/ssh/sshd_config.d/50-x.conf line 3)" or "(default)". */
static char *describe(const struct sshd_settings *s, enum sshd_opt o)
{
        const struct sshd_value *v = &s->v[o];
        _cleanup_free_ char *t = sshd_value_text(o, v);
        if (!v->set || !v->file)
                return xasprintf("%s %s (default)", sshd_opt_keyword(o), t);
        if (v->line == 0)
                return xasprintf("%s %s (%s)", sshd_opt_keyword(o), t, v->file);
        return xasprintf("%s %s (%s line %u)", sshd_opt_keyword(o), t, v->file, v->line);
}

/* Is this value of @o a weakness? The single rule the checks and ssh.match-override share. */
static bool is_weak(enum sshd_opt o, const struct sshd_value *v)
{
        switch (o) {
        case SO_PERMIT_ROOT_LOGIN: return v->num != PRL_NO;
        case SO_PASSWORD_AUTH:
        case SO_KBD_INTERACTIVE_AUTH:
        case SO_PERMIT_EMPTY_PASSWORDS:
        case SO_HOSTBASED_AUTH:
        case SO_PERMIT_USER_ENVIRONMENT:
        case SO_X11_FORWARDING: return v->num != 0;
        case SO_IGNORE_RHOSTS: return v->num != IRH_YES;
        case SO_ALLOW_TCP_FORWARDING: return v->num != FWD_NO;
        case SO_MAX_AUTH_TRIES: return v->num > 4;
        case SO_LOGIN_GRACE_TIME: return v->num == 0 || v->num > 60;
        case SO_CLIENT_ALIVE_INTERVAL:
        case SO_CLIENT_ALIVE_COUNT_MAX: return v->num == 0;
        case SO_LOG_LEVEL: return v->num != LL_INFO && v->num != LL_VERBOSE;
        default: return false;
        }
}

/* One or more settings: fail when any is weak; the evidence names each with its origin. */
static void judge(const struct facts *f, struct result *r, const enum sshd_opt *opts, size_t n)
{
        const struct sshd_config *c = config_or_result(f, r);
        if (!c)
                return;
        struct strbuf sb = {0};
        bool weak = false;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *d = describe(&c->s, opts[i]);
                sb_printf(&sb, "%s%s", i ? "; " : "", d);
                weak |= is_weak(opts[i], &c->s.v[opts[i]]);
        }
        _cleanup_free_ char *ev = sb_steal(&sb);
        result_set(r, weak ? ST_FAIL : ST_PASS, "%s", ev);
}

#define JUDGE(fn, ...)                                             \
        void fn(const struct facts *f, struct result *r)           \
        {                                                          \
                static const enum sshd_opt opts[] = {__VA_ARGS__}; \
                judge(f, r, opts, ARRAY_SIZE(opts));               \
        }

JUDGE(check_ssh_permit_root_login, SO_PERMIT_ROOT_LOGIN)
JUDGE(check_ssh_password_authentication, SO_PASSWORD_AUTH, SO_KBD_INTERACTIVE_AUTH)
JUDGE(check_ssh_permit_empty_passwords, SO_PERMIT_EMPTY_PASSWORDS)
JUDGE(check_ssh_hostbased_authentication, SO_HOSTBASED_AUTH, SO_IGNORE_RHOSTS)
JUDGE(check_ssh_permit_user_environment, SO_PERMIT_USER_ENVIRONMENT)
JUDGE(check_ssh_x11_forwarding, SO_X11_FORWARDING)
JUDGE(check_ssh_max_auth_tries, SO_MAX_AUTH_TRIES)
JUDGE(check_ssh_login_grace_time, SO_LOGIN_GRACE_TIME)
JUDGE(check_ssh_client_alive, SO_CLIENT_ALIVE_INTERVAL, SO_CLIENT_ALIVE_COUNT_MAX)
JUDGE(check_ssh_log_level, SO_LOG_LEVEL)

void check_ssh_tcp_forwarding(const struct facts *f, struct result *r)
{
        const struct sshd_config *c = config_or_result(f, r);
        if (!c)
                return;
        _cleanup_free_ char *d = describe(&c->s, SO_ALLOW_TCP_FORWARDING);
        if (c->s.v[SO_DISABLE_FORWARDING].num) {
                _cleanup_free_ char *dd = describe(&c->s, SO_DISABLE_FORWARDING);
                result_set(r, ST_PASS, "%s; %s", dd, d);
                return;
        }
        result_set(r, is_weak(SO_ALLOW_TCP_FORWARDING, &c->s.v[SO_ALLOW_TCP_FORWARDING]) ? ST_FAIL : ST_PASS, "%s", d);
}

void check_ssh_access_limited(const struct facts *f, struct result *r)
{
        const struct sshd_config *c = config_or_result(f, r);
        if (!c)
                return;
        static const enum sshd_opt lists[] = {SO_ALLOW_USERS, SO_ALLOW_GROUPS, SO_DENY_USERS, SO_DENY_GROUPS};
        struct strbuf sb = {0};
        for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
                const struct sshd_value *v = &c->s.v[lists[i]];
                if (!v->n)
                        continue;
                _cleanup_free_ char *t = sshd_value_text(lists[i], v);
                sb_printf(&sb, "%s%s %s", sb.len ? "; " : "", sshd_opt_keyword(lists[i]), t);
        }
        _cleanup_free_ char *ev = sb_steal(&sb);
        if (*ev)
                result_set(r, ST_PASS, "%s", ev);
        else
                result_set(r, ST_FAIL, "no AllowUsers, AllowGroups, DenyUsers or DenyGroups: every account may log in");
}

/* @order (indices of Match blocks) sorted by criteria, stably, so blocks of the same
 * criteria stay in file order. A merge sort of our own: n log n at worst, and no
 * libc qsort, which asks the kernel for the memory size (sysinfo) on large arrays
 * and the report sandbox does not allow that. */
static void sort_by_criteria(const struct sshd_match *m, size_t *order, size_t n)
{
        size_t *tmp = xcalloc(n ? n : 1, sizeof(*tmp));
        for (size_t w = 1; w < n; w *= 2) {
                for (size_t lo = 0; lo < n; lo += 2 * w) {
                        size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
                        size_t i = lo, j = mid, k = lo;
                        while (i < mid && j < hi)
                                tmp[k++] = strcmp(m[order[i]].criteria, m[order[j]].criteria) <= 0 ? order[i++]
                                                                                                   : order[j++];
                        while (i < mid)
                                tmp[k++] = order[i++];
                        while (j < hi)
                                tmp[k++] = order[j++];
                }
                memcpy(order, tmp, n * sizeof(*order));
        }
        free(tmp);
}

/* sshd applies the first value a keyword gets among the Match blocks a connection
 * matches: an earlier block with the same criteria that sets it shadows this one
 * unless that first value is weak too. One bit per setting and block, found by
 * sorting the blocks by criteria once, so many blocks cost n log n, not n². */
static uint64_t *match_shadowed(const struct sshd_config *c)
{
        size_t n = c->n_matches;
        uint64_t *shadowed = xcalloc(n ? n : 1, sizeof(*shadowed));
        size_t *order = xcalloc(n ? n : 1, sizeof(*order));
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        sort_by_criteria(c->matches, order, n);
        const struct sshd_value *first[SO__COUNT];
        for (size_t g = 0; g < n; g++) {
                const struct sshd_match *m = &c->matches[order[g]];
                if (g == 0 || strcmp(m->criteria, c->matches[order[g - 1]].criteria) != 0)
                        memset(first, 0, sizeof(first));
                for (size_t k = 0; k < m->n_set; k++) {
                        int o = m->set[k].opt;
                        const struct sshd_value *v = &m->set[k].v;
                        if (!v->set)
                                continue;
                        if (!first[o])
                                first[o] = v;
                        else if (!is_weak(o, first[o]))
                                shadowed[order[g]] |= UINT64_C(1) << o;
                }
        }
        free(order);
        return shadowed;
}

void check_ssh_match_override(const struct facts *f, struct result *r)
{
        const struct sshd_config *c = config_or_result(f, r);
        if (!c)
                return;
        _cleanup_free_ uint64_t *shadowed = match_shadowed(c);
        struct strbuf sb = {0};
        for (size_t i = 0; i < c->n_matches && sb.len <= 4096; i++) { /* the evidence is cut at 4 KiB anyway */
                const struct sshd_match *m = &c->matches[i];
                for (int o = 0; o < SO__COUNT; o++) {
                        const struct sshd_value *v = sshd_match_value(m, o);
                        if (!v || !is_weak(o, v) || is_weak(o, &c->s.v[o]) || (shadowed[i] >> o & 1))
                                continue;
                        _cleanup_free_ char *t = sshd_value_text(o, v);
                        sb_printf(&sb, "%sMatch %s (%s line %u) sets %s %s (line %u)", sb.len ? "; " : "", m->criteria,
                                  m->file, m->line, sshd_opt_keyword(o), t, v->line);
                }
        }
        _cleanup_free_ char *ev = sb_steal(&sb);
        if (*ev)
                result_set(r, ST_FAIL, "%s", ev);
        else
                result_set(r, ST_PASS, "%zu Match block(s); none weakens a checked setting", c->n_matches);
}

void check_ssh_config_permissions(const struct facts *f, struct result *r)
{
        const struct sshd_config *c = config_or_result(f, r);
        if (!c)
                return;
        struct strbuf bad = {0};
        for (size_t i = 0; i < c->n_files; i++) {
                const struct stat *st = &c->files[i].st;
                if (st->st_uid != 0 || (st->st_mode & 022))
                        sb_printf(&bad, "%s%s mode %04o uid %u", bad.len ? "; " : "", c->files[i].path,
                                  (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid);
        }
        _cleanup_free_ char *ev = sb_steal(&bad);
        if (*ev)
                result_set(r, ST_FAIL, "not root-owned or writable by group/others: %s", ev);
        else
                result_set(r, ST_PASS, "%zu file(s) (%s and its includes) root-owned, not group/other-writable",
                           c->n_files, c->main_path);
}

void check_ssh_host_key_permissions(const struct facts *f, struct result *r)
{
        if (!config_or_result(f, r))
                return;
        const struct sshd_facts *s = &f->sshd;
        if (s->n_host_keys == 0) {
                result_set(r, ST_SKIP, "no private host key files found");
                return;
        }
        struct strbuf bad = {0};
        for (size_t i = 0; i < s->n_host_keys; i++) {
                const struct stat *st = &s->host_keys[i].st;
                if (st->st_uid != 0 || (st->st_mode & 077))
                        sb_printf(&bad, "%s%s mode %04o uid %u", bad.len ? "; " : "", s->host_keys[i].path,
                                  (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid);
        }
        _cleanup_free_ char *ev = sb_steal(&bad);
        if (*ev)
                result_set(r, ST_FAIL, "private host keys readable beyond root (want 0600 root): %s", ev);
        else
                result_set(r, ST_PASS, "%zu private host key(s) mode 0600 or stricter, owned by root", s->n_host_keys);
}

void check_ssh_authorized_keys(const struct facts *f, struct result *r)
{
        const struct sshd_config *c = config_or_result(f, r);
        if (!c)
                return;
        const struct sshd_facts *s = &f->sshd;
        if (s->authorized_keys_error) {
                result_set(r, ST_ERROR, "%s", s->authorized_keys_error);
                return;
        }
        struct strbuf sb = {0};
        for (size_t i = 0; i < s->n_authorized_keys; i++)
                sb_printf(&sb, "%s%s (%s)", sb.len ? "; " : "", s->account_of[i], s->authorized_keys[i].path);
        const char *cmd = c->s.v[SO_AUTHORIZED_KEYS_COMMAND].str;
        if (cmd && strcasecmp(cmd, "none") != 0)
                sb_printf(&sb, "%sAuthorizedKeysCommand %s (as %s)", sb.len ? "; " : "", cmd,
                          c->s.v[SO_AUTHORIZED_KEYS_COMMAND_USER].str ? c->s.v[SO_AUTHORIZED_KEYS_COMMAND_USER].str
                                                                      : "?");
        _cleanup_free_ char *ev = sb_steal(&sb);
        if (*ev)
                result_set(r, ST_FAIL, "keys can log in: %s", ev);
        else
                result_set(r, ST_PASS, "no account has an authorized_keys file and no AuthorizedKeysCommand is set");
}

void check_ssh_daemon_enabled(const struct facts *f, struct result *r)
{
        const struct sshd_facts *s = &f->sshd;
        if (f->node.br.is_bottlerocket && !s->cfg.found) {
                result_set(r, ST_SKIP,
                           "Bottlerocket has no host sshd%s; the admin container's is judged by "
                           "bottlerocket.admin-container and bottlerocket.admin-ssh",
                           s->running_pid ? " (the sshd running is a container's)" : "");
                return;
        }
        struct strbuf sb = {0};
        if (s->running_pid)
                sb_printf(&sb, "sshd running (pid %d)", (int)s->running_pid);
        for (size_t i = 0; i < s->n_enabled_units; i++)
                sb_printf(&sb, "%senabled: %s", sb.len ? "; " : "", s->enabled_units[i]);
        _cleanup_free_ char *ev = sb_steal(&sb);
        /* An enabled unit fails on its own; only the pass needs the process table,
         * since an unread one cannot show that no sshd runs. */
        if (*ev)
                result_set(r, ST_FAIL, "%s", ev);
        else if (fact_gate(f, FACT_PROCS, 0, r))
                result_set(r, ST_PASS, "sshd is neither running nor enabled in systemd");
}
