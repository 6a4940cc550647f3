/* fuzz_kubelet_dropins: the kubelet's --config-dir drop-ins, walked, ordered, parsed and merged over --config. */
/* fuzz-max-len: 4194304 (ROOTFS_READ_CAP, the config file or one drop-in; DROPINS_READ_CAP's 16 MiB total is more than one input holds) */
/*
 * The input is split at "\n--\n" into the --config file and up to four drop-ins. A
 * drop-in part's first line is its file name under the drop-in directory (only
 * [A-Za-z0-9._-] kept, '/' making at most two subdirectories, "." and ".." dropped),
 * the rest its content. They are written into one scratch root per process, shaped
 * like an Amazon Linux 2023 nodeadm node with no kubelet process or unit, so that
 * kubelet_collect() finds the well-known config.json and config.json.d and resolves
 * the effective configuration with --config-dir, as the collector does on a host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/kubelet/kubelet.h"
#include "base/proc.h"
#include "base/rootfs.h"

#define CONFIG "etc/kubernetes/kubelet/config.json"
#define DROPIN_DIR "etc/kubernetes/kubelet/config.json.d"
#define MAX_PARTS 4
#define MAX_NAME 64

static char fuzz_root[64];

static int fuzz_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* Everything under the drop-in directory, not the directory itself. */
static int fuzz_rm_below(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        return ftw->level == 0 ? 0 : fuzz_rm_one(p, st, flag, ftw);
}

/* The scratch root goes away with the process. */
static void fuzz_cleanup(void)
{
        if (fuzz_root[0])
                nftw(fuzz_root, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_mkdirs(const char *abs, size_t from)
{
        char p[512];
        snprintf(p, sizeof(p), "%s", abs);
        for (char *s = p + from; (s = strchr(s, '/')); s++) {
                *s = '\0';
                mkdir(p, 0755);
                *s = '/';
        }
}

static void fuzz_prepare(void)
{
        if (fuzz_root[0])
                return;
        atexit(fuzz_cleanup);
        snprintf(fuzz_root, sizeof(fuzz_root), "/tmp/nw-dropins-fuzz.XXXXXX");
        if (!mkdtemp(fuzz_root))
                abort();
        char p[256];
        snprintf(p, sizeof(p), "%s/%s/", fuzz_root, DROPIN_DIR);
        fuzz_mkdirs(p, strlen(fuzz_root) + 1);
}

/* Write @len bytes to @abs; false when the path cannot hold a file (a name taken by
 * a directory, or a parent taken by a file). */
static bool fuzz_write(const char *abs, const char *data, size_t len)
{
        FILE *f = fopen(abs, "w");
        if (!f)
                return false;
        if (fwrite(data, 1, len, f) != len)
                abort();
        fclose(f);
        return true;
}

/* The drop-in's name from its part's first line, relative to the drop-in directory. */
static void fuzz_name(const char *line, size_t len, int i, char *ret, size_t size)
{
        char raw[MAX_NAME + 1];
        size_t n = 0;
        for (size_t j = 0; j < len && n < MAX_NAME; j++) {
                char c = line[j];
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '/')
                        raw[n++] = c;
        }
        raw[n] = '\0';
        size_t out = 0, comps = 0;
        ret[0] = '\0';
        for (char *save = NULL, *c = strtok_r(raw, "/", &save); c && comps < 3; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
                        continue;
                out += (size_t)snprintf(ret + out, size - out, "%s%s", comps ? "/" : "", c);
                comps++;
        }
        if (!comps)
                snprintf(ret, size, "%d0-fuzz.conf", i + 1);
}

/* filepath.WalkDir's order: depth first, each directory's entries sorted by name,
 * which is comparing the paths name by name. */
static int walk_cmp(const char *a, const char *b)
{
        for (;;) {
                size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
                int c = memcmp(a, b, la < lb ? la : lb);
                if (c)
                        return c;
                if (la != lb)
                        return la < lb ? -1 : 1;
                a += la;
                b += lb;
                if (!*a || !*b)
                        return *a ? 1 : *b ? -1 : 0;
                a++;
                b++;
        }
}

static int walk_cmp_p(const void *a, const void *b)
{
        return walk_cmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_conf(const char *s)
{
        size_t n = strlen(s);
        return n >= 5 && strcmp(s + n - 5, ".conf") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_prepare();
        char abs[512];
        snprintf(abs, sizeof(abs), "%s/%s", fuzz_root, DROPIN_DIR);
        nftw(abs, fuzz_rm_below, 16, FTW_DEPTH | FTW_PHYS);

        const char *d = (const char *)data, *end = d + size;
        const char *sep = memmem(d, size, "\n--\n", 4);
        snprintf(abs, sizeof(abs), "%s/%s", fuzz_root, CONFIG);
        if (!fuzz_write(abs, d, sep ? (size_t)(sep - d) : size))
                abort();
        d = sep ? sep + 4 : end;

        /* The drop-ins written, as host paths; the *.conf ones are what the walk must find. */
        char *written[MAX_PARTS], *expect[MAX_PARTS];
        size_t n_written = 0, n_expect = 0;
        for (int i = 0; i < MAX_PARTS && d < end; i++) {
                sep = memmem(d, (size_t)(end - d), "\n--\n", 4);
                const char *pend = sep ? sep : end;
                const char *nl = memchr(d, '\n', (size_t)(pend - d));
                const char *body = nl ? nl + 1 : pend;
                char name[MAX_NAME + 16];
                fuzz_name(d, (size_t)((nl ? nl : pend) - d), i, name, sizeof(name));
                char host[256];
                snprintf(host, sizeof(host), "/%s/%s", DROPIN_DIR, name);
                snprintf(abs, sizeof(abs), "%s%s", fuzz_root, host);
                fuzz_mkdirs(abs, strlen(fuzz_root) + strlen(DROPIN_DIR) + 2);
                if (fuzz_write(abs, body, (size_t)(pend - body))) {
                        bool dup = false;
                        for (size_t j = 0; j < n_written; j++)
                                dup |= strcmp(written[j], host) == 0;
                        if (!dup) {
                                written[n_written++] = strdup(host);
                                if (ends_conf(host))
                                        expect[n_expect++] = written[n_written - 1];
                        }
                }
                d = sep ? sep + 4 : end;
        }
        qsort(expect, n_expect, sizeof(*expect), walk_cmp_p);

        struct rootfs r;
        if (rootfs_open_root(fuzz_root, &r) < 0)
                abort();
        struct proc_table procs = {0};
        struct kubelet_facts k;
        kubelet_collect(&r, &r, &procs, &k);

        /* Found by its well-known AL2023 paths, with --config and --config-dir. */
        if (!k.found || !k.has_config || !k.config_dir || strcmp(k.config.path, "/" CONFIG) != 0 ||
            strcmp(k.config_dir, "/" DROPIN_DIR) != 0 || k.dropin_note || !k.effective)
                abort();
        /* Every *.conf written, nothing else, in the walk's order. */
        if (k.n_dropins != n_expect)
                abort();
        for (size_t i = 0; i < n_expect; i++)
                if (!k.dropins[i].path || strcmp(k.dropins[i].path, expect[i]) != 0)
                        abort();
        for (size_t i = 1; i < k.n_dropins; i++)
                if (walk_cmp(k.dropins[i - 1].path, k.dropins[i].path) >= 0)
                        abort();
        /* Every field says where its value came from; a drop-in's is one of the drop-ins. */
        for (size_t f = 0; f < KF__COUNT; f++) {
                const struct kfield_value *fv = &k.f[f];
                if (!fv->origin || (fv->value != NULL) != (fv->source != KSRC_UNSET))
                        abort();
                if (fv->source == KSRC_FILE && strcmp(fv->origin, "config file /" CONFIG) != 0)
                        abort();
                if (fv->source == KSRC_DROPIN) {
                        bool known = false;
                        if (strncmp(fv->origin, "drop-in ", 8) != 0)
                                abort();
                        for (size_t i = 0; i < k.n_dropins; i++)
                                known |= strcmp(fv->origin + 8, k.dropins[i].path) == 0;
                        if (!known)
                                abort();
                }
                if (fv->source == KSRC_DEFAULT && !fv->default_reason)
                        abort();
        }
        cJSON *j = kubelet_explain_json(&k);
        if (!j)
                abort();
        cJSON_Delete(j);

        kubelet_facts_free(&k);
        rootfs_close(&r);
        for (size_t i = 0; i < n_written; i++)
                free(written[i]);
        return 0;
}
