/* sshd_facts: collect the ssh facts under the root: config, key files' modes, and whether sshd is enabled. */
#define _GNU_SOURCE
#include "collect/sshd/sshd_facts.h"

#include <errno.h>
#include <string.h>

#include "collect/sshd/sshd_internal.h"
#include "base/util.h"

#define MAX_ACCOUNTS 10000u
/* AuthorizedKeysFile entries times accounts: every account with ten entries fits;
 * a hostile list of a million entries would otherwise cost hours of stat calls. */
#define MAX_KEYFILE_PROBES 100000u

static void add_keyfile(struct sshd_keyfile **v, size_t *n, const struct rootfs *root, const char *path)
{
        *v = xrealloc(*v, (*n + 1) * sizeof(**v));
        struct sshd_keyfile *k = &(*v)[(*n)++];
        memset(k, 0, sizeof(*k));
        k->path = xstrdup(path);
        k->err = rootfs_stat(root, path, &k->st);
}

/* AuthorizedKeysFile entries with %h, %u, %% expanded; relative ones are under the home. */
char *sshd_expand_akf(const char *pat, const char *user, const char *home)
{
        struct strbuf sb = {0};
        if (pat[0] != '/' && !str_startswith(pat, "%h"))
                sb_printf(&sb, "%s/", home);
        for (const char *p = pat; *p; p++) {
                if (p[0] == '%' && p[1]) {
                        p++;
                        if (*p == 'h')
                                sb_puts(&sb, home);
                        else if (*p == 'u')
                                sb_puts(&sb, user);
                        else
                                sb_putc(&sb, *p);
                        continue;
                }
                sb_putc(&sb, *p);
        }
        return sb_steal(&sb);
}

bool sshd_passwd_next(char **cursor, char **ret_user, char **ret_home)
{
        for (char *l; (l = strsep(cursor, "\n"));) {
                char *fields[7] = {0}, *p = l;
                for (int i = 0; i < 7 && p; i++)
                        fields[i] = strsep(&p, ":");
                if (!fields[5] || fields[5][0] != '/')
                        continue;
                *ret_user = fields[0];
                *ret_home = fields[5];
                return true;
        }
        return false;
}

static void collect_authorized_keys(const struct rootfs *root, struct sshd_facts *f)
{
        char *buf;
        if (rootfs_read_file(root, "/etc/passwd", SSHD_PASSWD_CAP, &buf, NULL, NULL) < 0)
                return;
        const struct sshd_value *akf = &f->cfg.s.v[SO_AUTHORIZED_KEYS_FILE];
        size_t accounts = 0, probes = 0;
        char *cursor = buf, *user, *home;
        while (accounts < MAX_ACCOUNTS && sshd_passwd_next(&cursor, &user, &home)) {
                accounts++;
                for (size_t k = 0; k < akf->n; k++) {
                        if (strcasecmp(akf->list[k], "none") == 0)
                                continue;
                        if (++probes > MAX_KEYFILE_PROBES) {
                                f->authorized_keys_error = xasprintf(
                                        "AuthorizedKeysFile has %zu entries: for the accounts of /etc/passwd "
                                        "that is more than %u files to look for",
                                        akf->n, MAX_KEYFILE_PROBES);
                                free(buf);
                                return;
                        }
                        _cleanup_free_ char *path = sshd_expand_akf(akf->list[k], user, home);
                        struct stat st;
                        if (rootfs_stat(root, path, &st) < 0)
                                continue;
                        add_keyfile(&f->authorized_keys, &f->n_authorized_keys, root, path);
                        f->account_of = xrealloc(f->account_of, f->n_authorized_keys * sizeof(char *));
                        f->account_of[f->n_authorized_keys - 1] = xstrdup(user);
                }
        }
        free(buf);
}

static void collect_enabled(const struct rootfs *root, struct sshd_facts *f)
{
        static const char *const dirs[] = {"/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"};
        static const char *const targets[] = {"multi-user.target.wants", "default.target.wants",
                                              "graphical.target.wants"};
        static const char *const units[] = {"ssh.service", "sshd.service", "ssh.socket", "sshd.socket"};
        for (size_t d = 0; d < ARRAY_SIZE(dirs); d++)
                for (size_t t = 0; t < ARRAY_SIZE(targets); t++)
                        for (size_t u = 0; u < ARRAY_SIZE(units); u++) {
                                _cleanup_free_ char *p = xasprintf("%s/%s/%s", dirs[d], targets[t], units[u]);
                                struct stat st;
                                if (rootfs_stat(root, p, &st) < 0)
                                        continue;
                                f->enabled_units = xrealloc(f->enabled_units,
                                                            (f->n_enabled_units + 1) * sizeof(char *));
                                f->enabled_units[f->n_enabled_units++] = xstrdup(p);
                        }
}

void sshd_collect(const struct rootfs *root, const struct proc_table *procs, bool config_only, struct sshd_facts *f)
{
        memset(f, 0, sizeof(*f));
        sshd_config_load(&f->cfg, root, procs);
        f->cfg.root = NULL; /* only valid while collecting */
        f->running_pid = f->cfg.pid;
        if (config_only)
                return;
        collect_enabled(root, f);
        if (!f->cfg.found || f->cfg.error)
                return;
        const struct sshd_value *hk = &f->cfg.s.v[SO_HOST_KEY];
        for (size_t i = 0; i < hk->n; i++) {
                struct stat st;
                if (rootfs_stat(root, hk->list[i], &st) == 0)
                        add_keyfile(&f->host_keys, &f->n_host_keys, root, hk->list[i]);
        }
        collect_authorized_keys(root, f);
}

static void keyfiles_free(struct sshd_keyfile *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i].path);
        free(v);
}

void sshd_facts_free(struct sshd_facts *f)
{
        if (!f)
                return;
        sshd_config_free(&f->cfg);
        keyfiles_free(f->host_keys, f->n_host_keys);
        keyfiles_free(f->authorized_keys, f->n_authorized_keys);
        strv_free(f->account_of, f->n_authorized_keys);
        strv_free(f->enabled_units, f->n_enabled_units);
        free(f->authorized_keys_error);
        memset(f, 0, sizeof(*f));
}
