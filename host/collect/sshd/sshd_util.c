/* sshd_util: sshd's address, port, glob and Match-criteria rules, reading only under the root. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/sshd/sshd_internal.h"
#include "base/util.h"

char *sshd_hpdelim(char **cp)
{
        if (!cp || !*cp)
                return NULL;
        char *old = *cp, *s = *cp;
        if (*s == '[') {
                if (!(s = strchr(s, ']')))
                        return NULL;
                s++;
        } else if (!(s = strpbrk(s, ":/"))) {
                s = *cp + strlen(*cp);
        }
        switch (*s) {
        case '\0': *cp = NULL; break;
        case ':':
                *s = '\0';
                *cp = s + 1;
                break;
        default: return NULL;
        }
        return old;
}

/* The port of "22/tcp": digits only, 1..65535. Anything else is a malformed line,
 * which glibc's files backend skips, so the search goes on (never atoi's
 * wrap-around: 4294967318 is not 22). */
static int service_port_field(const char *pp)
{
        while (*pp == '0' && pp[1] >= '0' && pp[1] <= '9')
                pp++;
        size_t n = strspn(pp, "0123456789");
        if (n == 0 || n > 5 || strcmp(pp + n, "/tcp") != 0)
                return -1;
        int v = 0;
        for (size_t i = 0; i < n; i++)
                v = v * 10 + (pp[i] - '0');
        return v >= 1 && v <= 65535 ? v : -1;
}

int sshd_services_port(char *buf, const char *name)
{
        int port = -1;
        char *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l && port < 0; l = strtok_r(NULL, "\n", &save)) {
                l[strcspn(l, "#")] = '\0';
                char *s2 = NULL, *svc = strtok_r(l, " \t", &s2), *pp = strtok_r(NULL, " \t", &s2);
                if (!svc || !pp || !str_endswith(pp, "/tcp"))
                        continue;
                bool hit = strcmp(svc, name) == 0;
                for (char *a; !hit && (a = strtok_r(NULL, " \t", &s2));)
                        hit = strcmp(a, name) == 0;
                if (hit)
                        port = service_port_field(pp);
        }
        return port;
}

static int service_port(const struct rootfs *root, const char *name)
{
        char *buf;
        if (!root || rootfs_read_file(root, "/etc/services", 1u << 20, &buf, NULL, NULL) < 0)
                return -1;
        int port = sshd_services_port(buf, name);
        free(buf);
        return port;
}

int sshd_a2port(const struct rootfs *root, const char *s)
{
        if (!s || !*s)
                return -1;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*end && errno == 0 && v >= 0 && v <= 65535)
                return (int)v;
        return service_port(root, s);
}

static bool has_meta(const char *s)
{
        return strpbrk(s, "*?[") != NULL;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void sshd_list_push(struct sshd_value *v, char *s)
{
        if (v->n + 2 > v->cap) {
                v->cap = 2 * v->cap + 2;
                v->list = xrealloc(v->list, v->cap * sizeof(char *));
        }
        v->list[v->n++] = s;
        v->list[v->n] = NULL;
}

static void push(char ***v, size_t *n, char *s)
{
        *v = xrealloc(*v, (*n + 1) * sizeof(char *));
        (*v)[(*n)++] = s;
}

int sshd_glob(const struct rootfs *root, const char *pattern, size_t max, char ***ret_paths, size_t *ret_n)
{
        if (!root) { /* parsing a string without a tree: nothing to include */
                *ret_paths = NULL;
                *ret_n = 0;
                return 0;
        }
        char **cur = NULL, *comps = xstrdup(pattern), *save = NULL;
        size_t n = 0;
        int err = 0;
        bool last_literal = true;
        push(&cur, &n, xstrdup(""));
        for (char *comp = strtok_r(comps, "/", &save); comp && n; comp = strtok_r(NULL, "/", &save)) {
                char **next = NULL;
                size_t nn = 0;
                last_literal = !has_meta(comp);
                for (size_t i = 0; i < n; i++) {
                        if (last_literal) {
                                push(&next, &nn, xasprintf("%s/%s", cur[i], comp));
                                continue;
                        }
                        char **names;
                        size_t nnames;
                        int r = rootfs_list_dir(root, *cur[i] ? cur[i] : "/", max, &names, &nnames);
                        if (r == -E2BIG)
                                err = r; /* never silently drop part of a huge drop-in directory */
                        if (r < 0)
                                continue;
                        for (size_t k = 0; k < nnames; k++) {
                                if (fnmatch(comp, names[k], FNM_PERIOD) != 0)
                                        continue;
                                if (nn >= max)
                                        err = -E2BIG;
                                else
                                        push(&next, &nn, xasprintf("%s/%s", cur[i], names[k]));
                        }
                        strv_free(names, nnames);
                }
                strv_free(cur, n);
                cur = next;
                n = nn;
        }
        free(comps);
        if (err < 0) {
                strv_free(cur, n);
                return err;
        }
        /* A trailing slash matches directories only, as in glob(3). */
        size_t plen = strlen(pattern), kept = 0;
        bool dirs_only = plen > 0 && pattern[plen - 1] == '/';
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                bool check = last_literal || dirs_only;
                if (check && (rootfs_stat(root, cur[i], &st) < 0 || (dirs_only && !S_ISDIR(st.st_mode))))
                        free(cur[i]);
                else
                        cur[kept++] = cur[i];
        }
        if (kept)
                qsort(cur, kept, sizeof(char *), cmp_str);
        *ret_paths = cur;
        *ret_n = kept;
        return 0;
}

/* Match Address / LocalAddress lists: an address with a bad mask length is refused. */
bool sshd_addr_list_valid(const char *list)
{
        _cleanup_free_ char *dup = xstrdup(list);
        char *save = NULL;
        for (char *e = strtok_r(dup, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
                if (*e == '!')
                        e++;
                char *slash = strchr(e, '/');
                if (!slash)
                        continue;
                *slash = '\0';
                unsigned char a[16];
                int maxlen = inet_pton(AF_INET, e, a) == 1 ? 32 : inet_pton(AF_INET6, e, a) == 1 ? 128 : -1;
                if (maxlen < 0)
                        continue;
                char *end;
                long len = strtol(slash + 1, &end, 10);
                if (!slash[1] || *end || len < 0 || len > maxlen)
                        return false;
                for (int bit = (int)len; bit < maxlen; bit++)
                        if (a[bit / 8] & (0x80 >> (bit % 8)))
                                return false;
        }
        return true;
}

int sshd_match_validate(char *cp, char **ret_err)
{
        unsigned attributes = 0;
        char *attrib;
        while ((attrib = sshd_strdelim(&cp)) && *attrib) {
                if (*attrib == '#')
                        break;
                attributes++;
                if (strcasecmp(attrib, "all") == 0) {
                        char *arg = sshd_strdelim(&cp);
                        if (attributes > 1 || (arg && *arg && *arg != '#')) {
                                *ret_err = xstrdup("'all' cannot be combined with other Match attributes");
                                return -EINVAL;
                        }
                        return 1;
                }
                char *arg = sshd_strdelim(&cp);
                if (!arg || !*arg || *arg == '#') {
                        *ret_err = xasprintf("Missing Match criteria for %s", attrib);
                        return -EINVAL;
                }
                if (strcasecmp(attrib, "user") == 0 || strcasecmp(attrib, "group") == 0 ||
                    strcasecmp(attrib, "host") == 0 || strcasecmp(attrib, "rdomain") == 0)
                        continue;
                if (strcasecmp(attrib, "address") == 0 || strcasecmp(attrib, "localaddress") == 0) {
                        if (!sshd_addr_list_valid(arg)) {
                                *ret_err = xasprintf("Invalid Match %s argument '%s'", attrib, arg);
                                return -EINVAL;
                        }
                        continue;
                }
                if (strcasecmp(attrib, "localport") == 0) {
                        if (sshd_a2port(NULL, arg) < 0) {
                                *ret_err = xasprintf("Invalid LocalPort '%s' on Match line", arg);
                                return -EINVAL;
                        }
                        continue;
                }
                *ret_err = xasprintf("Unsupported Match attribute %s", attrib);
                return -EINVAL;
        }
        if (attributes == 0) {
                *ret_err = xstrdup("One or more attributes required for Match");
                return -EINVAL;
        }
        return 0;
}
