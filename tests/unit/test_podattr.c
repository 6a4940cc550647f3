/* test_podattr: cgroup paths the kubelet writes name the right pod and container; others are host processes. */
#include "testutil.h"

#include "collect/observe/podattr.h"
#include "base/rootfs.h"

#define UID "0b6f7a1c-3d2e-4f50-9a8b-7c6d5e4f3a21"
#define UID_ "0b6f7a1c_3d2e_4f50_9a8b_7c6d5e4f3a21"
#define CID "4f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29"

static void test_systemd_driver_besteffort_containerd(void **state)
{
        (void)state;
        struct pod_ref p;
        assert_int_equal(cgroup_path_parse_pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
                                               ".slice/cri-containerd-" CID ".scope",
                                               &p),
                         0);
        assert_string_equal(p.uid, UID);
        assert_string_equal(p.container_id, CID);
        assert_string_equal(p.qos, "besteffort");
}

static void test_systemd_driver_burstable_and_guaranteed(void **state)
{
        (void)state;
        struct pod_ref p;
        assert_int_equal(cgroup_path_parse_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
                                               ".slice/crio-" CID ".scope",
                                               &p),
                         0);
        assert_string_equal(p.qos, "burstable");
        assert_string_equal(p.container_id, CID);
        assert_int_equal(cgroup_path_parse_pod("/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" CID ".scope", &p),
                         0);
        assert_string_equal(p.qos, "guaranteed");
        assert_string_equal(p.uid, UID);
        assert_string_equal(p.container_id, CID);
}

static void test_cgroupfs_driver_all_qos_classes(void **state)
{
        (void)state;
        struct pod_ref p;
        assert_int_equal(cgroup_path_parse_pod("/kubepods/besteffort/pod" UID "/" CID, &p), 0);
        assert_string_equal(p.uid, UID);
        assert_string_equal(p.container_id, CID);
        assert_string_equal(p.qos, "besteffort");
        assert_int_equal(cgroup_path_parse_pod("/kubepods/burstable/pod" UID "/" CID, &p), 0);
        assert_string_equal(p.qos, "burstable");
        assert_int_equal(cgroup_path_parse_pod("/kubepods/pod" UID "/" CID, &p), 0);
        assert_string_equal(p.qos, "guaranteed");
}

static void test_pod_cgroup_without_container_and_nested_prefix(void **state)
{
        (void)state;
        struct pod_ref p;
        /* A node inside a container (kind, a test harness) nests the hierarchy. */
        assert_int_equal(cgroup_path_parse_pod("/nw-test/kubepods/besteffort/pod" UID, &p), 0);
        assert_string_equal(p.uid, UID);
        assert_string_equal(p.container_id, "");
        /* Static pods have a 32-hex-digit hash as their UID. */
        assert_int_equal(cgroup_path_parse_pod("/kubepods.slice/kubepods-burstable.slice/"
                                               "kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice",
                                               &p),
                         0);
        assert_string_equal(p.uid, "0123456789abcdef0123456789abcdef");
}

static void test_host_cgroups_are_not_pods(void **state)
{
        (void)state;
        struct pod_ref p;
        assert_int_equal(cgroup_path_parse_pod("/system.slice/sshd.service", &p), -ENOENT);
        assert_int_equal(cgroup_path_parse_pod("/user.slice/user-0.slice/session-3.scope", &p), -ENOENT);
        assert_int_equal(cgroup_path_parse_pod("/", &p), -ENOENT);
        assert_int_equal(cgroup_path_parse_pod("", &p), -ENOENT);
        assert_int_equal(cgroup_path_parse_pod("/kubepods-like.slice/x", &p), -ENOENT);
}

static void test_malformed_kubepods_paths_are_rejected(void **state)
{
        (void)state;
        struct pod_ref p;
        assert_int_equal(cgroup_path_parse_pod("/kubepods.slice", &p), -EINVAL);
        assert_int_equal(cgroup_path_parse_pod("/kubepods/besteffort", &p), -EINVAL);
        assert_int_equal(cgroup_path_parse_pod("/kubepods/besteffort/notapod", &p), -EINVAL);
        assert_int_equal(
                cgroup_path_parse_pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod.slice", &p),
                -EINVAL);
        assert_int_equal(cgroup_path_parse_pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
                                               "zz/../etc.slice",
                                               &p),
                         -EINVAL);
        assert_int_equal(cgroup_path_parse_pod("/kubepods/pod" UID "/cri-containerd-%s.scope", &p), -EINVAL);
        /* Too long to be a UID: no overflow, an error. */
        char long_path[512];
        snprintf(long_path, sizeof(long_path), "/kubepods/pod%0200d", 7);
        assert_int_equal(cgroup_path_parse_pod(long_path, &p), -EINVAL);
}

/* Every prefix of a valid path parses or fails cleanly (run under ASan). */
static void test_every_truncation_is_safe(void **state)
{
        (void)state;
        const char *full = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
                           ".slice/cri-containerd-" CID ".scope";
        char buf[512];
        for (size_t n = 0; n <= strlen(full); n++) {
                snprintf(buf, sizeof(buf), "%.*s", (int)n, full);
                struct pod_ref p;
                int r = cgroup_path_parse_pod(buf, &p);
                assert_true(r == 0 || r == -EINVAL || r == -ENOENT);
        }
}

static void test_pod_name_from_cri_log_directory(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "var/log/pods/kube-system_aws-node-x7k2p_" UID "/aws-node/0.log", "");
        tu_write(root, "var/log/pods/default_other_11111111-2222-3333-4444-555555555555/c/0.log", "");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        char *ns = NULL, *name = NULL;
        assert_int_equal(pod_lookup_name(&r, UID, &ns, &name), 0);
        assert_string_equal(ns, "kube-system");
        assert_string_equal(name, "aws-node-x7k2p");
        free(ns);
        free(name);
        assert_int_equal(pod_lookup_name(&r, "99999999-2222-3333-4444-555555555555", &ns, &name), -ENOENT);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

static void test_log_directory_not_named_by_the_kubelet_is_refused(void **state)
{
        (void)state;
        static const char *const bad[] = {
                "_aws-node_" UID,               /* no namespace */
                "kube-system__" UID "x",        /* another UID */
                "kube-system_a_b_" UID,         /* '_' in a pod name */
                "kube-system_node\x1b[2J_" UID, /* not a DNS name */
                "Kube-System_aws-node_" UID,
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *ns = NULL, *name = NULL;
                assert_int_equal(pod_log_dir_parse(bad[i], UID, &ns, &name), -ENOENT);
                assert_null(ns);
                assert_null(name);
        }
        char *ns = NULL, *name = NULL;
        assert_int_equal(pod_log_dir_parse("kube-system_kube-proxy-ip-10-0-1-23.ec2.internal_" UID, UID, &ns, &name),
                         0);
        assert_string_equal(ns, "kube-system");
        assert_string_equal(name, "kube-proxy-ip-10-0-1-23.ec2.internal");
        free(ns);
        free(name);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_systemd_driver_besteffort_containerd),
                cmocka_unit_test(test_systemd_driver_burstable_and_guaranteed),
                cmocka_unit_test(test_cgroupfs_driver_all_qos_classes),
                cmocka_unit_test(test_pod_cgroup_without_container_and_nested_prefix),
                cmocka_unit_test(test_host_cgroups_are_not_pods),
                cmocka_unit_test(test_malformed_kubepods_paths_are_rejected),
                cmocka_unit_test(test_every_truncation_is_safe),
                cmocka_unit_test(test_pod_name_from_cri_log_directory),
                cmocka_unit_test(test_log_directory_not_named_by_the_kubelet_is_refused),
        };
        return cmocka_run_group_tests_name("podattr", tests, NULL, NULL);
}
