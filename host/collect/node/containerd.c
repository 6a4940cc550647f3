/* containerd: config.toml and its imports merged as containerd merges them, the CRI plugin's
 * registry section or its config_path hosts.toml directories, and the CRI socket. */
#define _GNU_SOURCE
#include "collect/node/containerd.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/toml.h"
#include "base/util.h"
#include "collect/node/go_buildinfo.h"

struct loaded {
        struct toml_doc *docs[CONTAINERD_MAX_FILES];
        size_t n;
};

/* Go's filepath.Clean for absolute paths: no ".", "..", or repeated slashes. */
static char *path_clean(const char *p)
{
        char *out = xmalloc(strlen(p) + 2);
        size_t n = 0;
        out[n++] = '/';
        for (const char *s = p; *s;) {
                size_t k = strcspn(s, "/");
                if (k == 0 || (k == 1 && s[0] == '.')) {
                        /* nothing */
                } else if (k == 2 && s[0] == '.' && s[1] == '.') {
                        while (n > 1 && out[n - 1] != '/')
                                n--;
                        if (n > 1)
                                n--;
                } else {
                        if (out[n - 1] != '/')
                                out[n++] = '/';
                        memcpy(out + n, s, k);
                        n += k;
                }
                s += k;
                while (*s == '/')
                        s++;
        }
        if (n > 1 && out[n - 1] == '/')
                n--;
        out[n] = '\0';
        return out;
}

static void strv_push(char ***v, size_t *n, char *s)
{
        *v = xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = s;
}

/* resolveImports() in cmd/containerd/server/config/config.go: relative to the importing file's
 * directory; a pattern with '*' is globbed (sorted), anything else is taken as it is. */
static int resolve_import(const struct rootfs *root, const char *parent, const char *imp, char ***queue, size_t *nq,
                          struct containerd_facts *c)
{
        char *joined;
        if (imp[0] == '/') {
                joined = xstrdup(imp);
        } else {
                char *dir = xstrdup(parent);
                *strrchr(dir, '/') = '\0';
                joined = xasprintf("%s/%s", *dir ? dir : "", imp);
                free(dir);
        }
        char *path = path_clean(joined);
        free(joined);
        if (!strchr(path, '*')) {
                strv_push(queue, nq, path);
                return 0;
        }
        char *slash = strrchr(path, '/');
        char *dir = strndup(path, (size_t)(slash - path)), *pattern = slash + 1;
        if (strpbrk(dir, "*?[")) {
                strv_push(&c->warnings, &c->n_warnings,
                          xasprintf("%s: import \"%s\" globs a directory name; nodeward reads only file-name globs",
                                    parent, imp));
        } else {
                char **names = NULL;
                size_t nn = 0;
                if (rootfs_list_dir(root, *dir ? dir : "/", 4096, &names, &nn) >= 0) {
                        for (size_t i = 0; i < nn; i++)
                                if (fnmatch(pattern, names[i], 0) == 0)
                                        strv_push(queue, nq, xasprintf("%s/%s", dir, names[i]));
                        strv_free(names, nn);
                }
        }
        free(dir);
        free(path);
        return 0;
}

static int load_configs(const struct rootfs *root, struct containerd_facts *c, struct loaded *l)
{
        char **queue = NULL;
        size_t nq = 0, head = 0;
        strv_push(&queue, &nq, xstrdup(CONTAINERD_CONFIG));
        int r = 0;
        for (; head < nq && r >= 0; head++) {
                const char *path = queue[head];
                bool seen = false;
                for (size_t i = 0; i < c->n_files; i++)
                        seen |= strcmp(c->files[i], path) == 0;
                if (seen)
                        continue;
                if (l->n >= CONTAINERD_MAX_FILES) {
                        c->error = xasprintf("%s: more than %d configuration files imported", CONTAINERD_CONFIG,
                                             CONTAINERD_MAX_FILES);
                        r = -E2BIG;
                        break;
                }
                char *buf = NULL, *err = NULL;
                size_t len;
                r = rootfs_read_file(root, path, ROOTFS_READ_CAP, &buf, &len, NULL);
                if (r == -ENOENT && head == 0) {
                        r = 0;
                        break; /* no containerd configuration: containerd's defaults, or no containerd */
                }
                if (r < 0) {
                        c->error = xasprintf("%s: %s", path, rootfs_strerror(r));
                        break;
                }
                c->found = true;
                r = toml_parse(buf, len, path, &l->docs[l->n], &err);
                free(buf);
                if (r < 0) {
                        c->error = err;
                        break;
                }
                strv_push(&c->files, &c->n_files, xstrdup(path));
                const struct toml_value *imports = toml_get(l->docs[l->n++]->root, "imports");
                if (imports && imports->type != TOML_ARRAY) {
                        c->error = xasprintf("%s line %u: imports must be a list of paths", path, imports->line);
                        r = -EINVAL;
                        break;
                }
                for (size_t i = 0; imports && i < imports->u.arr.n && r >= 0; i++) {
                        const char *imp = toml_string(imports->u.arr.items[i]);
                        if (!imp) {
                                c->error = xasprintf("%s line %u: imports must be a list of paths", path,
                                                     imports->u.arr.items[i]->line);
                                r = -EINVAL;
                        } else {
                                r = resolve_import(root, path, imp, &queue, &nq, c);
                        }
                }
        }
        strv_free(queue, nq);
        return r;
}

/* ---- merged lookups ---- */

/* The sections that make up plugin @id, oldest first. containerd 1.x replaces a plugin's whole
 * section with the last file's (services/server/config/config.go mergeConfig, v1.7); 2.x merges
 * plugin maps key by key (cmd/containerd/server/config/config.go, Plugins map[string]any). */
static size_t plugin_sections(const struct loaded *l, const char *id, bool deep, const struct toml_value **out)
{
        size_t k = 0;
        for (size_t i = 0; i < l->n; i++) {
                const struct toml_value *t = toml_get(toml_get(l->docs[i]->root, "plugins"), id);
                if (!t || t->type != TOML_TABLE)
                        continue;
                if (!deep)
                        k = 0;
                out[k++] = t;
        }
        return k;
}

static const struct toml_value *lookup(const struct toml_value *const *secs, size_t n, const char *const *path,
                                       size_t depth)
{
        const struct toml_value *v = NULL;
        for (size_t i = 0; i < n; i++) {
                const struct toml_value *x = toml_get_path(secs[i], path, depth);
                if (x)
                        v = x;
        }
        return v;
}

static struct ctrd_origin origin_of(const struct toml_value *v)
{
        return (struct ctrd_origin){.file = xstrdup(v->file), .line = v->line};
}

static void read_bool(const struct toml_value *const *secs, size_t n, const char *key, bool def, struct ctrd_bool *ret)
{
        const char *path[] = {key};
        const struct toml_value *v = lookup(secs, n, path, 1);
        *ret = (struct ctrd_bool){.value = def};
        if (v && v->type == TOML_BOOL) {
                ret->value = v->u.b;
                ret->set = true;
                ret->origin = origin_of(v);
        }
}

static struct ctrd_host *find_host(struct containerd_facts *c, const char *kind, const char *registry, const char *url)
{
        for (size_t i = 0; i < c->n_hosts; i++)
                if (strcmp(c->hosts[i].kind, kind) == 0 && strcmp(c->hosts[i].registry, registry) == 0 &&
                    (!url || strcmp(c->hosts[i].url, url) == 0))
                        return &c->hosts[i];
        return NULL;
}

static void push_host(struct containerd_facts *c, const char *registry, const char *url, const char *kind,
                      const struct toml_value *where)
{
        c->hosts = xrealloc(c->hosts, (c->n_hosts + 1) * sizeof(*c->hosts));
        c->hosts[c->n_hosts++] = (struct ctrd_host){.registry = xstrdup(registry),
                                                    .url = xstrdup(url),
                                                    .kind = xstrdup(kind),
                                                    .plain_http = str_startswith(url, "http://"),
                                                    .skip_verify = -1,
                                                    .origin = origin_of(where)};
}

/* registry.mirrors and registry.configs.<host>.tls (containerd 1.x, without config_path).
 * Endpoint lists are appended across merged sections; a later skip setting replaces an earlier. */
static void registry_from_config(struct containerd_facts *c, const struct toml_value *const *regs, size_t n)
{
        for (size_t s = 0; s < n; s++) {
                const struct toml_value *m = toml_get(regs[s], "mirrors");
                for (size_t i = 0; m && m->type == TOML_TABLE && i < m->u.tab.n; i++) {
                        const char *reg = m->u.tab.kv[i].key;
                        const struct toml_value *eps = toml_get(m->u.tab.kv[i].value, "endpoint");
                        for (size_t e = 0; eps && eps->type == TOML_ARRAY && e < eps->u.arr.n; e++) {
                                const char *url = toml_string(eps->u.arr.items[e]);
                                if (url && !find_host(c, "mirror endpoint", reg, url))
                                        push_host(c, reg, url, "mirror endpoint", eps->u.arr.items[e]);
                        }
                }
                const struct toml_value *cf = toml_get(regs[s], "configs");
                for (size_t i = 0; cf && cf->type == TOML_TABLE && i < cf->u.tab.n; i++) {
                        const char *reg = cf->u.tab.kv[i].key;
                        const struct toml_value *skip = toml_get(toml_get(cf->u.tab.kv[i].value, "tls"),
                                                                 "insecure_skip_verify");
                        if (!skip || skip->type != TOML_BOOL)
                                continue;
                        struct ctrd_host *h = find_host(c, "registry configs", reg, NULL);
                        if (!h) {
                                char *url = str_startswith(reg, "http") ? xstrdup(reg) : xasprintf("https://%s", reg);
                                push_host(c, reg, url, "registry configs", skip);
                                free(url);
                                h = &c->hosts[c->n_hosts - 1];
                        }
                        h->skip_verify = skip->u.b;
                        free(h->origin.file);
                        h->origin = origin_of(skip);
                }
        }
}

/* hostPaths() in core/remotes/docker/config/hosts.go: ROOT/host_port_, ROOT/host, ROOT/_default. */
static bool host_dir_exists(const struct rootfs *root, const char *base, const char *registry, char **ret_dir)
{
        const char *colon = strrchr(registry, ':');
        char *cand[3];
        size_t nc = 0;
        if (colon && colon != registry)
                cand[nc++] = xasprintf("%s/%.*s_%s_", base, (int)(colon - registry), registry, colon + 1);
        cand[nc++] = xasprintf("%s/%s", base, registry);
        cand[nc++] = xasprintf("%s/_default", base);
        bool found = false;
        for (size_t i = 0; i < nc; i++) {
                struct stat st;
                if (!found && rootfs_stat(root, cand[i], &st) == 0) {
                        found = true;
                        *ret_dir = cand[i];
                        continue;
                }
                free(cand[i]);
        }
        return found;
}

/* Every host directory under the config_path roots that containerd would use for its registry:
 * the first root with a matching directory (or a _default) wins (internal/cri/server/images
 * hostDirFromRoots). */
static void registry_from_host_dirs(const struct rootfs *root, struct containerd_facts *c)
{
        char *paths = xstrdup(c->config_path), *save = NULL;
        char *roots[16];
        size_t nr = 0;
        for (char *p = strtok_r(paths, ":", &save); p && nr < ARRAY_SIZE(roots); p = strtok_r(NULL, ":", &save))
                roots[nr++] = p;
        for (size_t k = 0; k < nr; k++) {
                char **names = NULL;
                size_t nn = 0;
                if (rootfs_list_dir(root, roots[k], CONTAINERD_MAX_HOST_DIRS, &names, &nn) < 0)
                        continue;
                for (size_t i = 0; i < nn; i++) {
                        char *reg = containerd_registry_from_dir(names[i]), *dir = NULL;
                        char *mine = xasprintf("%s/%s", roots[k], names[i]);
                        bool effective = false;
                        for (size_t j = 0; j <= k && !dir; j++)
                                if (host_dir_exists(root, roots[j], reg, &dir))
                                        effective = strcmp(dir, mine) == 0;
                        free(dir);
                        char *file = xasprintf("%s/hosts.toml", mine), *buf = NULL, *err = NULL;
                        size_t len;
                        int rr = 0;
                        if (!effective) {
                                strv_push(&c->warnings, &c->n_warnings,
                                          xasprintf("%s: not used: an earlier config_path root serves %s", mine, reg));
                        } else if ((rr = rootfs_read_file(root, file, ROOTFS_READ_CAP, &buf, &len, NULL)) < 0) {
                                /* Absent: certificate files only, plain TLS to the registry. Unreadable:
                                 * containerd fails that registry's pulls (hosts.go loadHostDir). */
                                if (rr != -ENOENT)
                                        strv_push(&c->warnings, &c->n_warnings,
                                                  xasprintf("%s: %s (containerd cannot pull from %s)", file,
                                                            rootfs_strerror(rr), reg));
                        } else if (containerd_parse_hosts(buf, len, file, reg, c, &err) < 0) {
                                strv_push(&c->warnings, &c->n_warnings,
                                          xasprintf("%s (containerd logs this and ignores the file)", err));
                                free(err);
                        }
                        free(buf);
                        free(file);
                        free(mine);
                        free(reg);
                }
                strv_free(names, nn);
        }
        free(paths);
}

static void socket_collect(const struct rootfs *root, struct containerd_facts *c)
{
        /* lstat: the socket itself, never what a planted link points at. */
        char *dir = xstrdup(c->socket_path), *slash = strrchr(dir, '/');
        const char *base = slash ? slash + 1 : dir;
        if (slash)
                *slash = '\0';
        int fd = rootfs_openat(root, slash && *dir ? dir : "/", O_PATH | O_DIRECTORY);
        struct stat st;
        if (fd < 0 || fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                int e = fd < 0 ? fd : -errno;
                if (e != -ENOENT)
                        c->socket_error = xasprintf("%s: %s", c->socket_path, rootfs_strerror(e));
        } else {
                c->socket_found = true;
                c->socket_mode = st.st_mode;
                c->socket_uid = st.st_uid;
                c->socket_gid = st.st_gid;
        }
        if (fd >= 0)
                close(fd);
        free(dir);
}

char *containerd_version_from_modinfo(const char *modinfo)
{
        static const char *const pkgs[] = {"github.com/containerd/containerd/v2", "github.com/containerd/containerd"};
        for (size_t i = 0; i < ARRAY_SIZE(pkgs); i++) {
                _cleanup_free_ char *x = xasprintf("%s/version.Version", pkgs[i]);
                char *v = go_buildinfo_ldflag_x(modinfo, x);
                if (v)
                        return v;
        }
        for (size_t i = 0; i < ARRAY_SIZE(pkgs); i++) {
                char *v = go_buildinfo_main_version(modinfo, pkgs[i]);
                if (v)
                        return v;
        }
        return NULL;
}

static int fd_pread(void *ctx, void *buf, size_t n, uint64_t off)
{
        int fd = *(int *)ctx;
        for (size_t done = 0; done < n;) {
                ssize_t k = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                done += (size_t)k;
        }
        return 0;
}

/* The major version of "v1.7.27" or "2.0.4"; 0 when it is not a version. */
static int version_major(const char *v)
{
        if (*v == 'v')
                v++;
        char *end;
        long m = strtol(v, &end, 10);
        return v[0] >= '0' && v[0] <= '9' && *end == '.' && m > 0 && m < 100 ? (int)m : 0;
}

/* The installed containerd's version, from its Go build info. */
static void binary_collect(const struct rootfs *root, struct containerd_facts *c)
{
        static const char *const paths[] = CONTAINERD_BINARIES;
        struct stat st;
        int fd = -ENOENT;
        for (size_t i = 0; i < ARRAY_SIZE(paths) && fd == -ENOENT; i++)
                if ((fd = rootfs_open_regular(root, paths[i], &st)) != -ENOENT)
                        c->binary_path = xstrdup(paths[i]);
        if (fd < 0) {
                if (fd != -ENOENT)
                        c->binary_note = xasprintf("%s: %s", c->binary_path, rootfs_strerror(fd));
                return;
        }
        struct go_reader rd = {.pread = fd_pread, .ctx = &fd, .size = (uint64_t)st.st_size};
        char *gover = NULL, *mod = NULL;
        int r = go_buildinfo_read(&rd, &gover, &mod);
        close(fd);
        char *v = r == 0 ? containerd_version_from_modinfo(mod) : NULL;
        if (v && version_major(v))
                c->binary_version = v;
        else if (r == 0)
                c->binary_note = xasprintf("%s: no containerd version in its Go build info", c->binary_path);
        else
                c->binary_note = xasprintf("%s: no Go build info read (%s)", c->binary_path,
                                           r == -ENOEXEC ? "not a 64-bit little-endian ELF file" : strerror(-r));
        if (!c->binary_version)
                free(v);
        free(gover);
        free(mod);
}

static void resolve(const struct rootfs *root, struct containerd_facts *c, const struct loaded *l)
{
        c->version = 1;
        for (size_t i = 0; i < l->n; i++) {
                const struct toml_value *v = toml_get(l->docs[i]->root, "version");
                if (v && v->type == TOML_INTEGER && v->u.i != 0)
                        c->version = (long)v->u.i;
                const char *addr = toml_string(toml_get(toml_get(l->docs[i]->root, "grpc"), "address"));
                if (addr && *addr) {
                        free(c->socket_path);
                        free(c->socket_origin.file);
                        c->socket_path = xstrdup(addr);
                        c->socket_origin = origin_of(toml_get(toml_get(l->docs[i]->root, "grpc"), "address"));
                }
        }
        /* The installed binary decides; without its version, a config written for version 3 is
         * taken to be containerd 2.x's and anything older containerd 1.x's. containerd 2.x reads
         * older versions by migrating them, so the plugin ids still follow the config's version. */
        if (c->binary_version) {
                c->major = version_major(c->binary_version) >= 2 ? 2 : 1;
                c->semantics = xasprintf("containerd %s (%s build info): containerd %d.x semantics", c->binary_version,
                                         c->binary_path, c->major);
        } else {
                c->major = c->version >= 3 ? 2 : 1;
                c->semantics = xasprintf("config version %ld: containerd %d.x semantics assumed%s%s%s", c->version,
                                         c->major, c->binary_note ? " (" : "", c->binary_note ? c->binary_note : "",
                                         c->binary_note ? ")" : "");
        }
        c->deep_merge = c->major >= 2;
        const char *images_id = c->version >= 3   ? "io.containerd.cri.v1.images"
                                : c->version >= 2 ? "io.containerd.grpc.v1.cri"
                                                  : "cri";
        const char *runtime_id = c->version >= 3 ? "io.containerd.cri.v1.runtime" : images_id;
        c->registry_plugin = xstrdup(images_id);
        const struct toml_value *secs[CONTAINERD_MAX_FILES], *regs[CONTAINERD_MAX_FILES];
        size_t n = plugin_sections(l, images_id, c->deep_merge, secs), nreg = 0;
        for (size_t i = 0; i < n; i++) {
                const struct toml_value *r = toml_get(secs[i], "registry");
                if (r && r->type == TOML_TABLE)
                        regs[nreg++] = r;
        }
        const char *cp[] = {"config_path"};
        const struct toml_value *v = lookup(regs, nreg, cp, 1);
        if (v && toml_string(v) && *toml_string(v)) {
                c->config_path = xstrdup(toml_string(v));
                c->config_path_origin = origin_of(v);
        }
        /* Sandbox image: 1.x sandbox_image; 2.x pinned_images.sandbox. */
        const char *sb1[] = {"sandbox_image"}, *sb2[] = {"pinned_images", "sandbox"};
        v = c->version >= 3 ? lookup(secs, n, sb2, 2) : lookup(secs, n, sb1, 1);
        if (toml_string(v)) {
                c->sandbox_image = xstrdup(toml_string(v));
                c->sandbox_origin = origin_of(v);
        }
        if (c->config_path) {
                for (size_t i = 0; i < nreg && !c->ignored; i++)
                        if (toml_get(regs[i], "mirrors") || toml_get(regs[i], "configs"))
                                c->ignored = xasprintf("%s line %u: registry mirrors/configs are ignored because "
                                                       "config_path is set",
                                                       regs[i]->file, regs[i]->line);
                registry_from_host_dirs(root, c);
        } else {
                registry_from_config(c, regs, nreg);
        }
        /* enable_unprivileged_*: off by default in 1.x, on in 2.x (internal/cri/config/config_unix.go). */
        n = plugin_sections(l, runtime_id, c->deep_merge, secs);
        read_bool(secs, n, "enable_unprivileged_ports", c->major >= 2, &c->unpriv_ports);
        read_bool(secs, n, "enable_unprivileged_icmp", c->major >= 2, &c->unpriv_icmp);
}

void containerd_collect(const struct rootfs *root, struct containerd_facts *c)
{
        memset(c, 0, sizeof(*c));
        c->socket_path = xstrdup(CONTAINERD_SOCKET);
        struct loaded l = {0};
        if (load_configs(root, c, &l) >= 0 && c->found) {
                binary_collect(root, c);
                resolve(root, c, &l);
        }
        for (size_t i = 0; i < l.n; i++)
                toml_doc_free(l.docs[i]);
        socket_collect(root, c);
}

void containerd_facts_free(struct containerd_facts *c)
{
        if (!c)
                return;
        free(c->error);
        strv_free(c->files, c->n_files);
        free(c->semantics);
        free(c->binary_path);
        free(c->binary_version);
        free(c->binary_note);
        free(c->registry_plugin);
        free(c->config_path);
        free(c->config_path_origin.file);
        for (size_t i = 0; i < c->n_hosts; i++) {
                struct ctrd_host *h = &c->hosts[i];
                free(h->registry);
                free(h->url);
                free(h->kind);
                free(h->capabilities);
                free(h->origin.file);
        }
        free(c->hosts);
        free(c->ignored);
        strv_free(c->warnings, c->n_warnings);
        free(c->sandbox_image);
        free(c->sandbox_origin.file);
        free(c->unpriv_ports.origin.file);
        free(c->unpriv_icmp.origin.file);
        free(c->socket_path);
        free(c->socket_origin.file);
        free(c->socket_error);
        memset(c, 0, sizeof(*c));
}
