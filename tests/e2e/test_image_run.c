/* test_image_run: the OCI image `make image` built, run as the DaemonSet runs it: a real report of this machine, and watch attaches and is ready. */
#include "ctrrun.h"

#include <sys/utsname.h>

#define ARCHIVE ctr_archive()

#define NODE_NAME "nw-deploy-node.test"

static struct ctr_image img;
static bool use_podman;
static char podman_why[512];

static const char *host_arch(void)
{
        struct utsname u;
        assert_int_equal(uname(&u), 0);
        return strcmp(u.machine, "aarch64") == 0 ? "arm64" : "amd64";
}

/* hostPath volumes of the DaemonSet: the host's / itself (read-only), and for the
 * textfile directory a scratch stand-in, so the test never writes to the host. */
static const char *volume_of(const char *what)
{
        static char buf[2048];
        if (strcmp(what, "/") == 0)
                return "/";
        if (str_startswith(what, "emptyDir:"))
                return NULL;
        snprintf(buf, sizeof(buf), "%s/hostpath%s", scratch, what);
        for (char *p = buf + strlen(scratch) + 1; *p; p++)
                if (*p == ':')
                        *p = '_';
        tu_mkdirs(buf);
        return ctr_keep(strdup(buf));
}

/* podman with its own store in the scratch directory; crun refuses on some machines
 * (setrlimit, hybrid cgroups): then the image's own rootfs and config run under chroot. */
static char *podman_cmd(const char *args)
{
        return xasprintf("podman --root '%s/podman/storage' --runroot '%s/podman/run' --storage-driver vfs %s", scratch,
                         scratch, args);
}

static int setup(void **state)
{
        fl_setup(state);
        if (access(ARCHIVE, R_OK) != 0) {
                fprintf(stderr, "%s is missing: `make image` builds it (make test does)\n", ARCHIVE);
                return -1;
        }
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s/img", scratch);
        ctr_image_unpack(ARCHIVE, host_arch(), dir, &img);
        podman_why[0] = '\0';
        if (system("command -v podman >/dev/null") != 0) {
                snprintf(podman_why, sizeof(podman_why), "podman is not installed");
        } else {
                char *args = xasprintf("run --rm --ulimit host oci-archive:%s version", ARCHIVE);
                char *cmd = podman_cmd(args), *out, *err;
                int rc = fl_sh(cmd, &out, &err);
                use_podman = rc == 0 && strstr(out, "nodeward ");
                const char *why = strstr(err, "Error: ") ? strstr(err, "Error: ") : err;
                if (!use_podman)
                        snprintf(podman_why, sizeof(podman_why), "podman run exited %d: %.*s", rc,
                                 (int)strcspn(why, "\n"), why);
                free(args);
                free(cmd);
                free(out);
                free(err);
        }
        if (use_podman)
                printf("# image run: podman with its OCI runtime\n");
        else
                printf("# image run: the image's own layers (umoci) and config (skopeo) under unshare+chroot with the "
                       "pod's capabilities, because %s\n",
                       podman_why);
        return 0;
}

static int teardown(void **state)
{
        if (use_podman) {
                char *cmd = podman_cmd("rm -f -a >/dev/null 2>&1; true");
                fl_sh(cmd, NULL, NULL);
                free(cmd);
        }
        cJSON_Delete(img.whole);
        ctr_release();
        return fl_teardown(state);
}

/* The podman command line for @s (the same settings the chroot runner applies). */
static char *podman_run_line(const struct ctr_spec *s, const char *extra)
{
        struct strbuf sb = {0};
        sb_puts(&sb, "run --ulimit host --pid host --network none --cap-drop ALL");
        for (size_t i = 0; i < s->n_caps; i++)
                sb_printf(&sb, " --cap-add %s", s->caps[i]);
        sb_printf(&sb, " --user %u:%u%s%s --hostname %s", s->uid, s->gid, s->read_only_root ? " --read-only" : "",
                  s->no_new_privs ? " --security-opt no-new-privileges" : "", s->hostname);
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct ctr_mount *m = &s->mounts[i];
                if (!m->src)
                        sb_printf(&sb, " --tmpfs %s", m->dst);
                else
                        sb_printf(&sb, " -v %s:%s:%s%s", m->src, m->dst, m->ro ? "ro" : "rw",
                                  m->rslave ? ",rslave" : "");
        }
        for (size_t i = 0; i < s->n_env; i++)
                sb_printf(&sb, " -e '%s'", s->env[i]);
        sb_printf(&sb, " %s oci-archive:%s", extra, ARCHIVE);
        /* The entrypoint is the image's; what follows replaces CMD, as the pod's args do. */
        for (size_t i = 1; s->argv[i]; i++)
                sb_printf(&sb, " '%s'", s->argv[i]);
        char *args = sb_steal(&sb), *cmd = podman_cmd(args);
        free(args);
        return cmd;
}

static const cJSON *daemonset(cJSON **docs)
{
        *docs = mf_load("images/daemonset.yaml");
        const cJSON *ds = mf_find(*docs, "DaemonSet", "nodeward");
        assert_true(cJSON_IsTrue(mf_get(ds, "spec.template.spec.hostPID")));
        assert_false(cJSON_IsTrue(mf_get(ds, "spec.template.spec.hostNetwork")));
        return ds;
}

static void test_archive_holds_both_architectures_and_only_the_binaries(void **state)
{
        (void)state;
        char *out;
        char *raw = xasprintf("skopeo inspect --raw oci-archive:%s", ARCHIVE);
        assert_int_equal(fl_sh(raw, &out, NULL), 0);
        free(raw);
        cJSON *idx = cJSON_Parse(out);
        assert_string_equal(mf_str(idx, "mediaType"), "application/vnd.oci.image.index.v1+json");
        bool amd = false, arm = false;
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(idx, "manifests"))
        {
                assert_string_equal(mf_str(m, "platform.os"), "linux");
                amd |= strcmp(mf_str(m, "platform.architecture"), "amd64") == 0;
                arm |= strcmp(mf_str(m, "platform.architecture"), "arm64") == 0;
        }
        assert_true(amd && arm);
        cJSON_Delete(idx);
        free(out);
        /* FROM scratch: the image's files are the two static programs, nothing from the tree. */
        char cmd[16384];
        snprintf(cmd, sizeof(cmd), "cd '%s' && find . -type f | sort", img.rootfs);
        assert_int_equal(fl_sh(cmd, &out, NULL), 0);
        assert_string_equal(out, "./usr/local/libexec/nodeward/install-plugin\n./usr/local/sbin/nodeward\n");
        free(out);
        assert_string_equal(mf_str(img.config, "User"), "65532:65532");
        /* The arm64 image carries an arm64 static binary that runs (under qemu-user here). */
        fl_need_tool("qemu-aarch64-static");
        struct ctr_image arm64;
        char dir[2048];
        snprintf(dir, sizeof(dir), "%s/img-arm64", scratch);
        ctr_image_unpack(ARCHIVE, "arm64", dir, &arm64);
        snprintf(cmd, sizeof(cmd),
                 "file -b '%s/usr/local/sbin/nodeward' && qemu-aarch64-static '%s/usr/local/sbin/nodeward' version",
                 arm64.rootfs, arm64.rootfs);
        assert_int_equal(fl_sh(cmd, &out, NULL), 0);
        if (!strstr(out, "ARM aarch64") || !strstr(out, "static") || !strstr(out, "nodeward " NODEWARD_VERSION))
                fail_msg("arm64 image binary: %s", out);
        free(out);
        cJSON_Delete(arm64.whole);
}

/* .containerignore: a build that copies its whole context gets only the staged binaries,
 * never sources, objects or node_modules from a host-built tree. */
static void test_build_context_holds_only_the_staged_binaries(void **state)
{
        (void)state;
        fl_need_tool("buildah");
        tu_write(scratch, "ctx.Containerfile", "FROM scratch\nCOPY . /ctx/\n");
        char cmd[16384], *out, *err;
        snprintf(cmd, sizeof(cmd),
                 "B=\"buildah --root %s/ctx/storage --runroot %s/ctx/run --storage-driver vfs\"; "
                 "$B build --quiet -f %s/ctx.Containerfile -t ctxprobe . >/dev/null && c=$($B from ctxprobe) && "
                 "m=$($B mount \"$c\") && (cd \"$m/ctx\" && find . -type f | sort); rc=$?; $B rm -a >/dev/null; "
                 "$B rmi -a -f >/dev/null; exit $rc",
                 scratch, scratch, scratch);
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("buildah (exit %d): %s", rc, err);
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
                if (!str_startswith(line, "./build/image/"))
                        fail_msg("the build context holds %s", line);
        free(out);
        free(err);
}

/* Append "ID\n" for each check that errors when the native build checks this machine
 * as root with every capability (run right before and right after the image). */
static void native_errors(struct strbuf *sb)
{
        char *argv[] = {(char *)tu_nodeward(), "check", "--root=/", "--format=json", NULL}, *out;
        tu_run_timeout(argv, &out, NULL, 300);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        const cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(j, "results")) if (strcmp(mf_str(x, "status"), "error") == 0)
                sb_printf(sb, "%s\n", mf_str(x, "id"));
        cJSON_Delete(j);
        free(out);
}

/* `check` through the image with every setting of the DaemonSet's container. */
static void test_check_in_the_image_reports_this_machine(void **state)
{
        (void)state;
        cJSON *docs;
        const cJSON *ds = daemonset(&docs);
        struct ctr_spec s;
        ctr_spec_from_pod(&s, ds, "nodeward", &img, volume_of, NODE_NAME);
        assert_int_equal(s.uid, 0); /* runAsUser: 0 over the image's 65532 */
        assert_true(s.read_only_root && s.no_new_privs && s.n_caps == 6);
        s.rootfs = img.rootfs;
        s.hostname = "nodeward-pod";
        /* The image's entrypoint, with check instead of the DaemonSet's watch. */
        const char *argv[] = {s.argv[0], "check", "--root=/host", "--format=json", NULL};
        memcpy(s.argv, argv, sizeof(argv));
        char *out, *err;
        int rc;
        struct strbuf native = {0};
        sb_putc(&native, '\n');
        native_errors(&native);
        if (use_podman) {
                char *cmd = podman_run_line(&s, "--rm");
                rc = fl_sh(cmd, &out, &err);
                free(cmd);
        } else {
                rc = ctr_run_chroot(&s, &out, &err, 120);
        }
        cJSON *j = cJSON_Parse(out);
        if (!j || rc > 2)
                fail_msg("exit %d\nstdout: %.2000s\nstderr: %s", rc, out, err);
        const cJSON *node = cJSON_GetObjectItem(j, "node");
        if (!mf_str(node, "name") || !mf_str(node, "hostname"))
                fail_msg("node: %s\nstderr: %s", cJSON_PrintUnformatted(node), err);
        char host[256] = "";
        char *etc = ctr_slurp("/etc/hostname");
        etc[strcspn(etc, " \t\r\n")] = '\0';
        if (!*etc)
                gethostname(host, sizeof(host));
        struct utsname u;
        uname(&u);
        assert_string_equal(mf_str(node, "hostname"), *etc ? etc : host);
        assert_string_equal(mf_str(node, "name"), NODE_NAME);
        assert_string_equal(mf_str(node, "root"), "/host");
        assert_string_equal(mf_str(node, "kernel"), u.release);
        /* Host sockets through /host/proc/1/ns/net: SYS_PTRACE and SYS_ADMIN at work. */
        const cJSON *r = tu_result(j, "net.wildcard-listeners");
        assert_non_null(r);
        if (strcmp(mf_str(r, "status"), "error") == 0)
                fail_msg("net.wildcard-listeners: %s\nstderr: %s", mf_str(r, "evidence"), err);
        /* Nothing the image could not evaluate for want of a library or a privilege: an error
         * is acceptable only where the native build, as root with every capability, also
         * errs on this machine now (other processes here can be odd: e.g. a test's fake kubelet). */
        native_errors(&native);
        char *ref = sb_steal(&native);
        const cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(j, "results"))
        {
                char key[128];
                snprintf(key, sizeof(key), "\n%s\n", mf_str(x, "id"));
                if (strcmp(mf_str(x, "status"), "error") == 0 && !strstr(ref, key))
                        fail_msg("%s: error only in the image: %s", mf_str(x, "id"), mf_str(x, "evidence"));
        }
        free(ref);
        assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "results")) > 30);
        cJSON_Delete(j);
        free(etc);
        free(out);
        free(err);
        cJSON_Delete(docs);
}

/* The DaemonSet's own args: watch attaches its eBPF probe with exactly the
 * manifest's capabilities, the readiness probe says so, the textfile appears. */
static void test_watch_in_the_image_attaches_and_is_ready(void **state)
{
        (void)state;
        cJSON *docs;
        const cJSON *ds = daemonset(&docs);
        struct ctr_spec s;
        const cJSON *c = ctr_spec_from_pod(&s, ds, "nodeward", &img, volume_of, NODE_NAME);
        s.rootfs = img.rootfs;
        s.hostname = "nodeward-pod";
        char *probe[8] = {0};
        int np = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, mf_get(c, "readinessProbe.exec.command")) probe[np++] = e->valuestring;
        assert_true(np >= 2);
        char o[4200], er[4200], *out = NULL, *err = NULL;
        snprintf(o, sizeof(o), "%s/watch.out", scratch);
        snprintf(er, sizeof(er), "%s/watch.err", scratch);
        pid_t pid = -1;
        char *name = NULL;
        if (use_podman) {
                name = xasprintf("nw-deploy-watch-%d", (int)getpid());
                char *extra = xasprintf("-d --name %s", name);
                char *cmd = podman_run_line(&s, extra);
                assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
                free(cmd);
                free(extra);
        } else {
                pid = ctr_start_chroot(&s, o, er);
        }
        /* Attached (or not) is the first line; the readiness probe then answers from its state file. */
        int rc = 1;
        for (int i = 0; i < 600 && rc != 0; i++) {
                usleep(100 * 1000);
                free(out);
                if (use_podman) {
                        struct strbuf sb = {0};
                        sb_printf(&sb, "exec %s", name);
                        for (int k = 0; k < np; k++)
                                sb_printf(&sb, " '%s'", probe[k]);
                        char *args = sb_steal(&sb), *cmd = podman_cmd(args);
                        rc = fl_sh(cmd, &out, NULL);
                        free(cmd);
                        free(args);
                } else {
                        rc = ctr_exec_chroot(&s, pid, probe, &out);
                }
        }
        if (rc != 0)
                fail_msg("readiness probe %s: exit %d: %s", probe[1], rc, out);
        assert_true(str_startswith(out, "ready: eBPF probe attached"));
        free(out);
        if (!use_podman) {
                /* The running watch holds no capability outside the manifest's, and cannot gain one. */
                unsigned long long allowed = 0, bnd = ~0ULL;
                for (size_t i = 0; i < s.n_caps; i++)
                        allowed |= 1ULL << ctr_cap_value(s.caps[i]);
                char sp[64];
                snprintf(sp, sizeof(sp), "/proc/%d/status", (int)pid);
                char *st = ctr_slurp(sp);
                const char *b = strstr(st, "\nCapBnd:\t");
                assert_non_null(b);
                bnd = strtoull(b + strlen("\nCapBnd:\t"), NULL, 16);
                assert_int_equal(bnd & ~allowed, 0);
                assert_non_null(strstr(st, "\nNoNewPrivs:\t1\n"));
                assert_non_null(strstr(st, "\nUid:\t0\t"));
                free(st);
        }
        if (use_podman) {
                /* One interval's summary first, as below. */
                char *logs = xasprintf("logs %s", name), *lcmd = podman_cmd(logs);
                for (int i = 0; i < 600; i++) {
                        char *so = NULL;
                        fl_sh(lcmd, &so, NULL);
                        bool done = strstr(so, "\"event\":\"summary\"") != NULL;
                        free(so);
                        if (done)
                                break;
                        usleep(200 * 1000);
                }
                free(logs);
                free(lcmd);
                char *cmd = xasprintf(
                        "podman --root '%s/podman/storage' --runroot '%s/podman/run' --storage-driver vfs "
                        "stop -t 30 %s >/dev/null && podman --root '%s/podman/storage' --runroot "
                        "'%s/podman/run' --storage-driver vfs logs %s > '%s'",
                        scratch, scratch, name, scratch, scratch, name, o);
                assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
                free(cmd);
                free(name);
        } else {
                /* One interval's summary (and the textfile) first: the checks run after the attach. */
                for (int i = 0; i < 1200; i++) {
                        char *so = ctr_slurp(o);
                        bool done = strstr(so, "\"event\":\"summary\"") != NULL;
                        free(so);
                        if (done)
                                break;
                        usleep(100 * 1000);
                }
                assert_int_equal(kill(pid, SIGTERM), 0);
                assert_int_equal(ctr_wait(pid, 60), 0);
        }
        out = ctr_slurp(o);
        err = ctr_slurp(er);
        if (!str_startswith(out, "{\"event\":\"attached\""))
                fail_msg("watch did not attach:\n%.1000s\nstderr: %s", out, err);
        assert_non_null(strstr(out, "\"event\":\"summary\""));
        assert_non_null(strstr(out, "\"node\":{\"name\":\"" NODE_NAME "\""));
        assert_non_null(strstr(out, "{\"event\":\"exit\""));
        free(out);
        free(err);
        /* The textfile the DaemonSet points node_exporter at, in its hostPath volume. */
        char prom[4300];
        snprintf(prom, sizeof(prom), "%s/hostpath/var/lib/nodeward/nodeward.prom", scratch);
        char *metrics = ctr_slurp(prom);
        assert_non_null(strstr(metrics, "nodeward_node_info{node=\"" NODE_NAME "\""));
        free(metrics);
        cJSON_Delete(docs);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_archive_holds_both_architectures_and_only_the_binaries),
                cmocka_unit_test(test_build_context_holds_only_the_staged_binaries),
                cmocka_unit_test(test_check_in_the_image_reports_this_machine),
                cmocka_unit_test(test_watch_in_the_image_attaches_and_is_ready),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
