/* kubelet_scratch: fixture roots copied to scratch with normal owners and modes, and verdict tables over them. */
#pragma once

#include "testutil.h"

struct expect {
        const char *id, *status, *needle;
};

/* Copy a fixture to a scratch root with normal owners and modes, whatever the
 * checkout's umask, so permission verdicts depend only on what a test changes. */
static inline char *scratch_copy(const char *fixture)
{
        char *dst = tu_mkdtemp(), src[4096], cmd[8192];
        snprintf(src, sizeof(src), "%s/%s", tu_fixtures(), fixture);
        tu_copy_tree(src, dst);
        snprintf(cmd, sizeof(cmd),
                 "chown -hR 0:0 '%s' && find '%s' -type f -exec chmod 0644 {} + && "
                 "find '%s' -type d -exec chmod 0755 {} +",
                 dst, dst, dst);
        assert_int_equal(system(cmd), 0);
        return dst;
}

/* The checks of the kubelet's resolved settings; the worker-node file, pod-limit and
 * kernel checks (checks/kubelet_node.c) have their own fixture (test_worker_node.c). */
#define KUBELET_SETTINGS_CHECKS                                                                            \
        "kubelet.anonymous-auth,kubelet.authorization-mode,kubelet.client-ca-file,kubelet.read-only-port," \
        "kubelet.streaming-idle-timeout,kubelet.protect-kernel-defaults,kubelet.iptables-util-chains,"     \
        "kubelet.hostname-override,kubelet.event-qps,kubelet.rotate-certificates,"                         \
        "kubelet.server-cert-rotation,kubelet.tls-cipher-suites,kubelet.config-permissions,"               \
        "kubelet.config-ownership,kubelet.kubeconfig-permissions,kubelet.kubeconfig-ownership"

static inline void expect_all(const char *fixture, const struct expect *e, int want_rc)
{
        char *root = scratch_copy(fixture);
        int rc;
        cJSON *j = tu_check_json(root, KUBELET_SETTINGS_CHECKS, &rc);
        for (; e->id; e++)
                tu_assert_result(j, e->id, e->status, e->needle);
        if (want_rc >= 0)
                assert_int_equal(rc, want_rc);
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}
