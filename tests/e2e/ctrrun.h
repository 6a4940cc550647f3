/* ctrrun: run an image's entrypoint the way a container runtime would: podman when this machine lets it,
 * else the image's own unpacked rootfs under new namespaces, chroot and the pod's capability set. */
#pragma once
#include "manifest.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <grp.h>

#define CTR_MAX 32

/* Strings a spec points at, freed by ctr_release() in the group teardown. */
static void *ctr_kept[256];
static size_t ctr_n_kept;

static inline void *ctr_keep(void *p)
{
        assert_true(ctr_n_kept < sizeof(ctr_kept) / sizeof(ctr_kept[0]));
        return ctr_kept[ctr_n_kept++] = p;
}

static inline void ctr_release(void)
{
        while (ctr_n_kept)
                free(ctr_kept[--ctr_n_kept]);
}

/* The archive `make image` wrote (the Makefile exports its path). */
static inline const char *ctr_archive(void)
{
        const char *p = getenv("NODEWARD_IMAGE");
        return p ? p : "build/nodeward-image.oci.tar";
}

struct ctr_mount {
        const char *src; /* host path, or NULL for a tmpfs (emptyDir) */
        const char *dst;
        bool ro;     /* readOnly: the top mount only, as Kubernetes without recursiveReadOnly */
        bool rslave; /* mountPropagation: HostToContainer */
};

struct ctr_spec {
        const char *rootfs; /* the unpacked image */
        const char *image;  /* podman: the image reference */
        struct ctr_mount mounts[CTR_MAX];
        size_t n_mounts;
        const char *caps[CTR_MAX]; /* capabilities.add after drop ALL, e.g. "SYS_PTRACE" */
        size_t n_caps;
        unsigned uid, gid;
        bool read_only_root; /* readOnlyRootFilesystem */
        bool no_new_privs;   /* allowPrivilegeEscalation: false */
        const char *hostname;
        const char *env[CTR_MAX]; /* KEY=VALUE, image's first then the pod's */
        size_t n_env;
        const char *argv[CTR_MAX]; /* entrypoint + args */
        const char *setup_sh;      /* shell run in the container's namespaces before chroot ($R is the rootfs) */
        void (*pre_chroot)(const struct ctr_spec *s); /* then this, in the same process */
};

static const struct {
        const char *name;
        int cap;
} ctr_cap_names[] = {
        {"CHOWN", CAP_CHOWN},
        {"DAC_OVERRIDE", CAP_DAC_OVERRIDE},
        {"DAC_READ_SEARCH", CAP_DAC_READ_SEARCH},
        {"FOWNER", CAP_FOWNER},
        {"SETUID", CAP_SETUID},
        {"SETGID", CAP_SETGID},
        {"NET_ADMIN", CAP_NET_ADMIN},
        {"NET_RAW", CAP_NET_RAW},
        {"SYS_CHROOT", CAP_SYS_CHROOT},
        {"SYS_PTRACE", CAP_SYS_PTRACE},
        {"SYS_ADMIN", CAP_SYS_ADMIN},
        {"SYS_RESOURCE", CAP_SYS_RESOURCE},
        {"PERFMON", CAP_PERFMON},
        {"BPF", CAP_BPF},
        {"NET_BIND_SERVICE", CAP_NET_BIND_SERVICE},
        {"KILL", CAP_KILL},
};

static inline int ctr_cap_value(const char *name)
{
        for (size_t i = 0; i < sizeof(ctr_cap_names) / sizeof(ctr_cap_names[0]); i++)
                if (strcmp(ctr_cap_names[i].name, name) == 0)
                        return ctr_cap_names[i].cap;
        fail_msg("capability %s is not known to the test runner", name);
        return -1;
}

/* In the child, right before exec: exactly the added capabilities (bounding set; uid 0
 * gets the bounding set as permitted and effective at exec), none inheritable or
 * ambient, then the user. Kubernetes gives a non-root user no capabilities at all. */
static inline void ctr_drop_to(const struct ctr_spec *s)
{
        int last = CAP_LAST_CAP;
        for (int c = 0; c <= last; c++) {
                bool keep = false;
                for (size_t i = 0; i < s->n_caps; i++)
                        keep |= ctr_cap_value(s->caps[i]) == c;
                if (!keep && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        _exit(121);
        }
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                _exit(122);
        d[0].inheritable = d[1].inheritable = 0;
        if (syscall(SYS_capset, &h, d) < 0)
                _exit(122);
        if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(123);
        if (setgroups(0, NULL) < 0 || setresgid(s->gid, s->gid, s->gid) < 0 || setresuid(s->uid, s->uid, s->uid) < 0)
                _exit(124);
}

static inline void ctr_q(struct strbuf *sb, const char *s)
{
        sb_putc(sb, '\'');
        for (; *s; s++)
                if (*s == '\'')
                        sb_puts(sb, "'\\''");
                else
                        sb_putc(sb, *s);
        sb_putc(sb, '\'');
}

/* The runtime's mounts, as a shell script run inside the new mount namespace. */
static inline char *ctr_mount_script(const struct ctr_spec *s)
{
        struct strbuf sb = {0};
        /* Host mounts propagate in, ours never out: HostToContainer for everything. */
        sb_puts(&sb, "set -e\nmount --make-rslave /\nR=");
        ctr_q(&sb, s->rootfs);
        sb_puts(&sb, "\nmount --bind \"$R\" \"$R\"\n");
        /* Volumes first: an rbind of the host's / must not copy the runtime's own mounts. */
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct ctr_mount *m = &s->mounts[i];
                sb_puts(&sb, "d=\"$R\"");
                ctr_q(&sb, m->dst);
                if (!m->src) {
                        sb_puts(&sb,
                                "\nmkdir -p \"$d\"\nmount -t tmpfs -o nosuid,nodev,size=16m,mode=1777 tmpfs \"$d\"\n");
                        continue;
                }
                sb_puts(&sb, "\ns=");
                ctr_q(&sb, m->src);
                sb_puts(&sb, "\nif [ -d \"$s\" ]; then mkdir -p \"$d\"; else mkdir -p \"${d%/*}\"; touch \"$d\"; fi\n"
                             "mount --rbind \"$s\" \"$d\"\n");
                if (!m->rslave)
                        sb_puts(&sb, "mount --make-rprivate \"$d\"\n");
                if (m->ro)
                        sb_puts(&sb, "mount -o remount,bind,ro \"$d\"\n");
        }
        sb_puts(&sb,
                "mkdir -p \"$R/proc\" \"$R/sys\" \"$R/dev\"\n"
                "mount -t proc -o nosuid,nodev,noexec proc \"$R/proc\"\n"
                "mount -t sysfs -o ro,nosuid,nodev,noexec sysfs \"$R/sys\"\n"
                "mount -t tmpfs -o nosuid,mode=755,size=64k tmpfs \"$R/dev\"\n"
                "for n in null zero full random urandom; do touch \"$R/dev/$n\"; mount --bind /dev/$n \"$R/dev/$n\"; done\n"
                "ip link set lo up\n");
        if (s->setup_sh) {
                sb_puts(&sb, s->setup_sh);
                sb_putc(&sb, '\n');
        }
        if (s->read_only_root)
                sb_puts(&sb, "mount -o remount,bind,ro \"$R\"\n");
        return sb_steal(&sb);
}

/* Start the entrypoint in a fresh mount, UTS, IPC and network namespace (the host's
 * PID namespace: hostPID), stdout and stderr to the given files. */
static inline pid_t ctr_start_chroot(const struct ctr_spec *s, const char *out_path, const char *err_path)
{
        char *script = ctr_mount_script(s);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
                        _exit(126);
                if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) < 0)
                        _exit(125);
                char *sh[] = {(char *)"/bin/sh", (char *)"-c", script, NULL};
                pid_t m = fork();
                if (m == 0) {
                        execv(sh[0], sh);
                        _exit(127);
                }
                int st;
                if (m < 0 || waitpid(m, &st, 0) != m || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        fprintf(stderr, "ctrrun: mount script failed\n%s", script);
                        _exit(125);
                }
                if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
                        _exit(125);
                if (s->pre_chroot)
                        s->pre_chroot(s);
                if (chroot(s->rootfs) < 0 || chdir("/") < 0)
                        _exit(125);
                ctr_drop_to(s);
                char *env[CTR_MAX + 1], *argv[CTR_MAX + 1];
                memcpy(env, s->env, sizeof(char *) * s->n_env);
                env[s->n_env] = NULL;
                size_t n = 0;
                for (; s->argv[n]; n++)
                        argv[n] = (char *)s->argv[n];
                argv[n] = NULL;
                execve(argv[0], argv, env);
                fprintf(stderr, "ctrrun: exec %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        free(script);
        return pid;
}

/* Like a runtime's exec (an exec probe): @argv in the container of @pid, its
 * namespaces and root, with the container's capability set and user. */
static inline int ctr_exec_chroot(const struct ctr_spec *s, pid_t pid, char *const *argv, char **ret_out)
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t c = fork();
        assert_true(c >= 0);
        if (c == 0) {
                dup2(p[1], 1);
                static const char *const ns[] = {"ipc", "uts", "net", "mnt"};
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
                int rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i]);
                        int fd = open(path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || setns(fd, 0) < 0)
                                _exit(125);
                        close(fd);
                }
                if (rootfd < 0 || fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                        _exit(125);
                ctr_drop_to(s);
                char *env[CTR_MAX + 1];
                memcpy(env, s->env, sizeof(char *) * s->n_env);
                env[s->n_env] = NULL;
                execve(argv[0], argv, env);
                _exit(127);
        }
        close(p[1]);
        char *out = tu_read_fd(p[0]);
        close(p[0]);
        int st;
        assert_int_equal(waitpid(c, &st, 0), c);
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Wait for @pid up to @timeout_s; SIGKILL after. Returns its exit code (128+signal). */
static inline int ctr_wait(pid_t pid, int timeout_s)
{
        int st = 0;
        for (int i = 0; i < timeout_s * 20; i++) {
                if (waitpid(pid, &st, WNOHANG) == pid)
                        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                usleep(50 * 1000);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        return 128 + SIGKILL;
}

static inline char *ctr_slurp(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return strdup("");
        char *s = tu_read_fd(fd);
        close(fd);
        return s;
}

/* Run to completion under chroot; returns the exit code. */
static inline int ctr_run_chroot(const struct ctr_spec *s, char **ret_out, char **ret_err, int timeout_s)
{
        char o[4200], e[4200];
        snprintf(o, sizeof(o), "%s/ctr.out", scratch);
        snprintf(e, sizeof(e), "%s/ctr.err", scratch);
        int rc = ctr_wait(ctr_start_chroot(s, o, e), timeout_s);
        *ret_out = ctr_slurp(o);
        *ret_err = ctr_slurp(e);
        return rc;
}

/* An image unpacked for this machine's architecture: its rootfs (umoci) and its config (skopeo). */
struct ctr_image {
        char rootfs[4096];
        cJSON *config; /* the OCI image config's "config" object: User, Env, Entrypoint, Cmd */
        cJSON *whole;
};

static inline void ctr_image_unpack(const char *archive, const char *arch, const char *dir, struct ctr_image *ret)
{
        fl_need_tool("skopeo");
        fl_need_tool("umoci");
        char cmd[16384], *out, *err;
        snprintf(
                cmd, sizeof(cmd),
                "rm -rf '%s' && mkdir -p '%s' && skopeo copy --quiet --override-arch %s oci-archive:'%s' oci:'%s/layout:img' && "
                "umoci unpack --image '%s/layout:img' '%s/bundle' >/dev/null && "
                "skopeo inspect --config oci:'%s/layout:img'",
                dir, dir, arch, archive, dir, dir, dir, dir);
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("unpacking %s for %s (exit %d): %s", archive, arch, rc, err);
        ret->whole = cJSON_Parse(out);
        assert_non_null(ret->whole);
        ret->config = cJSON_GetObjectItem(ret->whole, "config");
        assert_non_null(ret->config);
        snprintf(ret->rootfs, sizeof(ret->rootfs), "%s/bundle/rootfs", dir);
        free(out);
        free(err);
}

/* Map a pod volume to a path on this machine: hostPath PATH, "configMap:NAME" or
 * "emptyDir:NAME" (NULL for a private tmpfs). */
typedef const char *(*ctr_volume_fn)(const char *what);

static inline unsigned ctr_num(const cJSON *v, unsigned dflt)
{
        return cJSON_IsNumber(v) ? (unsigned)v->valueint : dflt;
}

/* Container @name of @workload's pod template (containers or initContainers), run
 * from @img (NULL: an image with no config): the entrypoint, user and environment
 * from the image, and what the pod overrides or adds: command/args, runAsUser and
 * runAsGroup, capabilities (drop ALL + add), readOnlyRootFilesystem,
 * allowPrivilegeEscalation, env (fieldRef spec.nodeName = @node_name), mounts. */
/* The container's volumeMounts, each with its volume resolved through @volume. */
static inline void ctr_mounts_from_pod(struct ctr_spec *s, const cJSON *pod, const cJSON *c, ctr_volume_fn volume)
{
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "volumeMounts"))
        {
                const cJSON *vol = mf_named(cJSON_GetObjectItem(pod, "volumes"), mf_str(e, "name"));
                assert_non_null(vol);
                struct ctr_mount *m = &s->mounts[s->n_mounts++];
                m->dst = mf_str(e, "mountPath");
                m->ro = cJSON_IsTrue(cJSON_GetObjectItem(e, "readOnly"));
                m->rslave = mf_str(e, "mountPropagation") &&
                            strcmp(mf_str(e, "mountPropagation"), "HostToContainer") == 0;
                if (mf_str(vol, "hostPath.path")) {
                        m->src = volume(mf_str(vol, "hostPath.path"));
                } else if (mf_str(vol, "configMap.name")) {
                        char what[256];
                        snprintf(what, sizeof(what), "configMap:%s", mf_str(vol, "configMap.name"));
                        m->src = volume(what);
                } else if (cJSON_GetObjectItem(vol, "emptyDir")) {
                        /* NULL: a tmpfs of this container; a path: a directory shared between containers. */
                        char what[256];
                        snprintf(what, sizeof(what), "emptyDir:%s", mf_str(vol, "name"));
                        m->src = volume(what);
                } else {
                        fail_msg("volume %s: only hostPath, configMap and emptyDir are run here", mf_str(vol, "name"));
                }
        }
}

static inline const cJSON *ctr_spec_from_pod(struct ctr_spec *s, const cJSON *workload, const char *name,
                                             const struct ctr_image *img, ctr_volume_fn volume, const char *node_name)
{
        memset(s, 0, sizeof(*s));
        const cJSON *pod = mf_get(workload, "spec.template.spec");
        const cJSON *c = mf_named(cJSON_GetObjectItem(pod, "containers"), name);
        if (!c)
                c = mf_named(cJSON_GetObjectItem(pod, "initContainers"), name);
        if (!c)
                fail_msg("no container %s", name);
        const cJSON *cfg = img ? img->config : NULL, *e;
        size_t n = 0;
        if (cJSON_GetObjectItem(c, "command")) {
                cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "command")) s->argv[n++] = e->valuestring;
        } else {
                cJSON_ArrayForEach(e, cJSON_GetObjectItem(cfg, "Entrypoint")) s->argv[n++] = e->valuestring;
        }
        const cJSON *args = cJSON_GetObjectItem(c, "args");
        if (!args && !cJSON_GetObjectItem(c, "command"))
                args = cJSON_GetObjectItem(cfg, "Cmd");
        cJSON_ArrayForEach(e, args) s->argv[n++] = e->valuestring;
        assert_true(n > 0 && n < CTR_MAX);
        /* USER uid[:gid] of the image, unless the pod says otherwise. */
        unsigned iu = 0, ig = 0;
        const char *user = mf_str(cfg, "User");
        if (user && *user)
                assert_true(sscanf(user, "%u:%u", &iu, &ig) >= 1);
        const cJSON *sc = cJSON_GetObjectItem(c, "securityContext"), *psc = cJSON_GetObjectItem(pod, "securityContext");
        const cJSON *ru = mf_get(sc, "runAsUser") ? mf_get(sc, "runAsUser") : mf_get(psc, "runAsUser");
        const cJSON *rg = mf_get(sc, "runAsGroup") ? mf_get(sc, "runAsGroup") : mf_get(psc, "runAsGroup");
        s->uid = ctr_num(ru, iu);
        s->gid = ctr_num(rg, ru ? 0 : ig);
        const cJSON *drop = mf_get(sc, "capabilities.drop");
        if (!mf_has(drop, "ALL"))
                fail_msg("container %s does not drop ALL capabilities", name);
        cJSON_ArrayForEach(e, mf_get(sc, "capabilities.add")) s->caps[s->n_caps++] = e->valuestring;
        s->read_only_root = cJSON_IsTrue(mf_get(sc, "readOnlyRootFilesystem"));
        s->no_new_privs = cJSON_IsFalse(mf_get(sc, "allowPrivilegeEscalation"));
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(cfg, "Env")) s->env[s->n_env++] = e->valuestring;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "env"))
        {
                const char *v = mf_str(e, "value");
                if (!v && mf_str(e, "valueFrom.fieldRef.fieldPath") &&
                    strcmp(mf_str(e, "valueFrom.fieldRef.fieldPath"), "spec.nodeName") == 0)
                        v = node_name;
                assert_non_null(v);
                assert_true(s->n_env < CTR_MAX);
                s->env[s->n_env++] = ctr_keep(xasprintf("%s=%s", mf_str(e, "name"), v));
        }
        ctr_mounts_from_pod(s, pod, c, volume);
        return c;
}
