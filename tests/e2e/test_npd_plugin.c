/* test_npd_plugin: the node-problem-detector plugin exactly as npd-nodeward.yaml runs it: OK on a hardened node, NonOK on the demo node, never Unknown for want of a library or a privilege.
 * A custom plugin's exit status is its result: 0 OK, 1 NonOK, anything else Unknown, and NPD keeps
 * max_output_length bytes of its output (node-problem-detector docs/custom_plugin_monitor.md,
 * pkg/custompluginmonitor/plugin/plugin.go). */
#include "ctrrun.h"

#include <sys/mount.h>
#include <sys/utsname.h>

static struct ctr_image img;
static cJSON *docs;
static const cJSON *npd_ds, *monitor_rule;
static cJSON *monitor;
static char plugin_dir[2048], config_dir[2048], npd_rootfs[2048];
static const char *host_root; /* what /host is for the run at hand */

static const char *host_arch(void)
{
        struct utsname u;
        assert_int_equal(uname(&u), 0);
        return strcmp(u.machine, "aarch64") == 0 ? "arm64" : "amd64";
}

/* The pod's volumes: hostPath / is the node root under test, the plugin emptyDir is
 * shared by the init container and NPD, the ConfigMap is a directory holding it. */
static const char *volume_of(const char *what)
{
        if (strcmp(what, "/") == 0)
                return host_root;
        if (strcmp(what, "emptyDir:plugin") == 0)
                return plugin_dir;
        if (str_startswith(what, "configMap:"))
                return config_dir;
        fail_msg("volume %s is not expected in npd-nodeward.yaml", what);
        return NULL;
}

static int setup(void **state)
{
        fl_setup(state);
        if (access(ctr_archive(), R_OK) != 0) {
                fprintf(stderr, "%s is missing: `make image` builds it (make test does)\n", ctr_archive());
                return -1;
        }
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/img", scratch);
        ctr_image_unpack(ctr_archive(), host_arch(), dir, &img);
        docs = mf_load("images/npd-nodeward.yaml");
        npd_ds = mf_find(docs, "DaemonSet", "node-problem-detector-nodeward");
        assert_true(cJSON_IsTrue(mf_get(npd_ds, "spec.template.spec.hostPID")));
        /* The monitor NPD loads, from the ConfigMap's data: its rule's path and args are the command line. */
        const cJSON *cm = mf_find(docs, "ConfigMap", "npd-nodeward");
        const char *json = cJSON_GetStringValue(
                cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "npd-nodeward-monitor.json"));
        assert_non_null(json);
        monitor = cJSON_Parse(json);
        assert_non_null(monitor);
        monitor_rule = cJSON_GetArrayItem(cJSON_GetObjectItem(monitor, "rules"), 0);
        snprintf(plugin_dir, sizeof(plugin_dir), "%s/plugin", scratch);
        snprintf(config_dir, sizeof(config_dir), "%s/config", scratch);
        snprintf(npd_rootfs, sizeof(npd_rootfs), "%s/npd-rootfs", scratch);
        tu_mkdirs(plugin_dir);
        chmod(plugin_dir, 0777); /* an emptyDir */
        tu_mkdirs(npd_rootfs);
        tu_write(config_dir, "npd-nodeward-monitor.json", json);
        printf("# NPD plugin run: the nodeward image's rootfs for the init container and an empty rootfs standing in "
               "for the NPD image, under unshare+chroot with each container's capabilities\n");
        return 0;
}

static int teardown(void **state)
{
        cJSON_Delete(monitor);
        cJSON_Delete(docs);
        cJSON_Delete(img.whole);
        ctr_release();
        return fl_teardown(state);
}

/* The init container, from the nodeward image, as its own user: puts the binary in the emptyDir. */
static void test_init_container_copies_the_static_binary(void **state)
{
        (void)state;
        struct ctr_spec s;
        host_root = "/nonexistent";
        ctr_spec_from_pod(&s, npd_ds, "copy-nodeward", &img, volume_of, "nw-deploy-node.test");
        s.rootfs = img.rootfs;
        s.hostname = "npd-pod";
        assert_int_equal(s.uid, 65532); /* no runAsUser: the image's USER */
        assert_int_equal(s.n_caps, 0);
        char *out, *err;
        int rc = ctr_run_chroot(&s, &out, &err, 60);
        if (rc != 0)
                fail_msg("init container exited %d: %s", rc, err);
        char path[4200];
        snprintf(path, sizeof(path), "%s/nodeward", plugin_dir);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        char image_bin[4200];
        snprintf(image_bin, sizeof(image_bin), "%s/usr/local/sbin/nodeward", img.rootfs);
        char cmd[9000];
        snprintf(cmd, sizeof(cmd), "cmp '%s' '%s'", path, image_bin);
        assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
        free(out);
        free(err);
}

/* The node's processes: this program re-executed under the name of a daemon, which
 * sleeps until its namespace goes (main() below). */
static char self_exe[4096];

static const char *const fake_kubelet[] = {"/usr/bin/kubelet",
                                           "--config=/etc/kubernetes/kubelet/config.json",
                                           "--config-dir=/etc/kubernetes/kubelet/config.json.d",
                                           "--kubeconfig=/var/lib/kubelet/kubeconfig",
                                           "--node-ip=10.0.1.23",
                                           "--cloud-provider=external",
                                           NULL};
static const char *const fake_npa[] = {"/usr/bin/aws-network-policy-agent", "--enable-network-policy=true", NULL};

static void spawn_daemon(const char *const *argv)
{
        pid_t p = fork();
        if (p == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                setenv("NW_DEPLOY_FAKE_DAEMON", "1", 1);
                execv(self_exe, (char *const *)argv);
                _exit(127);
        }
}

/* In the container's mount namespace, before chroot: a node of its own. A new PID and
 * network namespace whose PID 1 mounts its procfs over ROOT/proc (what /host/proc is
 * on a real node) and runs the kubelet and a policy agent there. It dies with the
 * container's process. */
static void node_scene(const struct ctr_spec *s)
{
        /* Over the container's /host/proc: the bind of the root is already made. */
        char proc[4300];
        snprintf(proc, sizeof(proc), "%s/host/proc", s->rootfs);
        int ready[2];
        if (pipe(ready) < 0)
                _exit(120);
        pid_t c = fork();
        if (c == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (unshare(CLONE_NEWPID | CLONE_NEWNET) < 0)
                        _exit(120);
                pid_t init = fork();
                if (init != 0) {
                        int st;
                        waitpid(init, &st, 0);
                        _exit(0);
                }
                /* PID 1 of the node. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                        _exit(120);
                spawn_daemon(fake_kubelet);
                spawn_daemon(fake_npa);
                /* Ready once both show in the node's process table. */
                for (int i = 0; i < 200; i++) {
                        char p2[4400], p3[4400];
                        snprintf(p2, sizeof(p2), "%s/2/comm", proc);
                        snprintf(p3, sizeof(p3), "%s/3/comm", proc);
                        char *a = ctr_slurp(p2), *b = ctr_slurp(p3);
                        bool up = strcmp(a, "kubelet\n") == 0 && strcmp(b, "aws-network-pol\n") == 0;
                        free(a);
                        free(b);
                        if (up)
                                break;
                        usleep(10 * 1000);
                }
                if (write(ready[1], "1", 1) != 1)
                        _exit(120);
                for (;;)
                        pause();
        }
        char b;
        if (c < 0 || read(ready[0], &b, 1) != 1)
                _exit(120);
        close(ready[0]);
        close(ready[1]);
}

/* A copy of the demo node with its findings fixed: no drop-in re-opening the read-only
 * port, seccomp by default, a pod PID limit, no hostname override, a policy agent.
 * protectKernelDefaults stays off: /host/proc/sys is this machine's kernel, whose
 * sysctls are not the kubelet's (kubelet.kernel-tunables would rightly fail). */
static char *hardened_root(void)
{
        char *root = xasprintf("%s/hardened", scratch), src[2048];
        tu_mkdirs(root);
        snprintf(src, sizeof(src), "%s/demo-al2023", tu_fixtures());
        tu_copy_tree(src, root);
        char p[2048];
        snprintf(p, sizeof(p), "%s/etc/kubernetes/kubelet/config.json.d/30-monitoring.conf", root);
        assert_int_equal(unlink(p), 0);
        char cmd[9000];
        snprintf(cmd, sizeof(cmd),
                 "sed -i 's/\"readOnlyPort\": 0,/\"readOnlyPort\": 0, \"seccompDefault\": true, "
                 "\"podPidsLimit\": 4096,/' '%s/etc/kubernetes/kubelet/config.json' && "
                 "grep -q seccompDefault '%s/etc/kubernetes/kubelet/config.json'",
                 root, root);
        assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
        /* Its process table is a live one (node_scene): the fixture's own is hidden under it. */
        return root;
}

/* The NPD container's settings with the ConfigMap rule's command line, /host = @root. */
static bool as_json; /* diagnostics: the same run in --format=json */

static int run_plugin(const char *root, bool live_node, bool drop_sys_admin, char **ret_out, char **ret_err)
{
        char path[4200];
        snprintf(path, sizeof(path), "%s/nodeward", plugin_dir);
        if (access(path, X_OK) != 0)
                test_init_container_copies_the_static_binary(NULL);
        struct ctr_spec s;
        host_root = root;
        ctr_spec_from_pod(&s, npd_ds, "node-problem-detector", NULL, volume_of, "nw-deploy-node.test");
        s.rootfs = npd_rootfs;
        s.hostname = "npd-pod";
        s.env[s.n_env++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        size_t n = 0;
        s.argv[n++] = mf_str(monitor_rule, "path");
        const cJSON *a;
        cJSON_ArrayForEach(a, cJSON_GetObjectItem(monitor_rule, "args"))
                s.argv[n++] = as_json && strcmp(a->valuestring, "--format=npd") == 0 ? "--format=json" : a->valuestring;
        s.argv[n] = NULL;
        if (drop_sys_admin) {
                size_t k = 0;
                for (size_t i = 0; i < s.n_caps; i++)
                        if (strcmp(s.caps[i], "SYS_ADMIN") != 0)
                                s.caps[k++] = s.caps[i];
                s.n_caps = k;
        }
        if (live_node)
                s.pre_chroot = node_scene;
        return ctr_run_chroot(&s, ret_out, ret_err, 120);
}

static void test_hardened_node_is_ok(void **state)
{
        (void)state;
        char *root = hardened_root(), *out, *err;
        int rc = run_plugin(root, true, false, &out, &err);
        if (rc != 0) {
                char *jout, *jerr;
                as_json = true;
                run_plugin(root, true, false, &jout, &jerr);
                as_json = false;
                struct strbuf why = {0};
                cJSON *j = cJSON_Parse(jout);
                const cJSON *r;
                cJSON_ArrayForEach(r,
                                   cJSON_GetObjectItem(j, "results")) if (strcmp(mf_str(r, "status"), "error") == 0 ||
                                                                          strcmp(mf_str(r, "status"), "fail") == 0)
                        sb_printf(&why, "%s %s: %.300s\n", mf_str(r, "id"), mf_str(r, "status"), mf_str(r, "evidence"));
                fail_msg("want OK (0), got %d: %s\nstderr: %s\n%s", rc, out, err, why.buf ? why.buf : jerr);
        }
        printf("# hardened node: exit 0: %s", out);
        assert_true(str_startswith(out, "OK: "));
        assert_true(strlen(out) <= (size_t)mf_get(monitor, "pluginConfig.max_output_length")->valueint + 1);
        free(out);
        free(err);
        free(root);
}

static void test_demo_node_is_nonok(void **state)
{
        (void)state;
        char root[2048], *out, *err;
        snprintf(root, sizeof(root), "%s/demo-al2023", tu_fixtures());
        char abs[4096];
        assert_non_null(realpath(root, abs));
        int rc = run_plugin(abs, false, false, &out, &err);
        if (rc != 1)
                fail_msg("want NonOK (1), got %d: %s\nstderr: %s", rc, out, err);
        printf("# demo node: exit 1: %s", out);
        assert_string_equal(out, "NonOK: 1 failed: kubelet.read-only-port\n");
        free(out);
        free(err);
}

/* The control: the capability the manifest adds is the one that keeps the plugin out of Unknown. */
static void test_without_sys_admin_the_hardened_node_would_be_unknown(void **state)
{
        (void)state;
        char *root = hardened_root(), *out, *err;
        int rc = run_plugin(root, true, true, &out, &err);
        if (rc != 2 || !str_startswith(out, "Unknown: "))
                fail_msg("want Unknown (2) without SYS_ADMIN, got %d: %s", rc, out);
        printf("# hardened node without SYS_ADMIN: exit 2: %s", out);
        free(out);
        free(err);
        free(root);
}

int main(int argc, char **argv)
{
        (void)argc;
        if (getenv("NW_DEPLOY_FAKE_DAEMON")) {
                /* A daemon of node_scene(): its name, then nothing until its namespace ends. */
                const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
                prctl(PR_SET_NAME, base);
                for (;;)
                        pause();
        }
        if (!realpath(argv[0], self_exe)) {
                fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
                return 1;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_init_container_copies_the_static_binary),
                cmocka_unit_test(test_hardened_node_is_ok),
                cmocka_unit_test(test_demo_node_is_nonok),
                cmocka_unit_test(test_without_sys_admin_the_hardened_node_would_be_unknown),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
