/* check: the vocabulary of the catalog: severities, statuses, results and check definitions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "benchmarks.h"

/* The checks read collected facts (collect/facts.h, which each checks/ source includes); the
 * declaration alone keeps the facts out of what renderers see through this header. */
struct facts;
struct listener;
struct policy;

enum severity {
        SEV_INFO,
        SEV_LOW,
        SEV_MEDIUM,
        SEV_HIGH,
        SEV_CRITICAL
};
enum status {
        ST_PASS,
        ST_FAIL,
        ST_WARN,
        ST_SKIP,
        ST_ERROR
};
#define ST__COUNT 5

/* A result's place on the node: a host path (NULL: unknown) and line (0: unknown),
 * and the layer the value came from ("file", "config", "drop-in", "kubeconfig",
 * "flag"; NULL: unknown). The layer can be known without a path (a flag). */
struct result_where {
        char *path;
        unsigned line, col;
        const char *layer;
};

struct result {
        const struct check_def *check;
        enum status status;
        char *evidence;
        /* The item of the selected benchmark this check is (NULL: not in it); set
         * before the check runs, so permission checks judge by the item's mode. */
        const struct bench_item *item;
        /* What to change on this node (checks/remedy.c), or NULL: the catalog's
         * remediation stands. */
        char *remediation;
        /* Where the setting lives on this node (checks/describe.c): what a report
         * points an operator to. */
        struct result_where where;
};

/* The remediation to show for @r: the node-specific one, else the catalog's. */
const char *result_remediation(const struct result *r);

/* The pod connection attempts a check reports (watch prints each as a finding). */
enum attempt_target {
        ATTEMPT_NONE,
        ATTEMPT_SSH,
        ATTEMPT_IMDS,
        ATTEMPT_KUBELET
};

typedef void (*check_fn)(const struct facts *f, struct result *r);
/* Whether a check applies to this node at all (Bottlerocket's checks on Bottlerocket);
 * false: @r is a SKIP saying why. It runs before the fact gate: a component the node
 * does not have is no error, however unreadable the facts about it are. */
typedef bool (*check_applies_fn)(const struct facts *f, struct result *r);
/* A check that judges against what the operator approves (policy/policy.h). */
typedef void (*check_policy_fn)(const struct facts *f, const struct policy *p, struct result *r);

#define MAX_REFS 4

struct check_def {
        const char *id;
        const char *title;
        enum severity severity;
        unsigned needs; /* FACT_* bits the check reads */
        const char *references[MAX_REFS];
        const char *remediation;
        check_fn fn; /* NULL for a check with a policy_fn */
        /* FACT_* bits the check also reads when they are there: without them (a
         * copied root has no live network) it still judges, and says what it missed. */
        unsigned uses;
        /* The value that passes, as data for `nodeward fix`: for a kubelet check a
         * KubeletConfiguration fragment (JSON), for an sshd check sshd_config lines
         * ("Keyword value", newline-separated). NULL: no config file fixes it. */
        const char *fix;
        enum attempt_target attempts; /* the pod attempts this check reports, if any */
        check_policy_fn policy_fn;    /* instead of fn: the check also reads the policy */
        check_applies_fn applies;     /* NULL: the check applies to every node */
};

/* The catalog's check of the pod connection attempts to @target; NULL: none. */
const struct check_def *check_for_attempt(enum attempt_target target);

extern const struct check_def check_catalog[];
extern const size_t check_catalog_len;

/* Set the status and a printf-formatted evidence line. */
void result_set(struct result *r, enum status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

const char *severity_name(enum severity s);
int severity_parse(const char *s, enum severity *ret);
const char *status_name(enum status s);

/* The kubelet checks. */
void check_kubelet_anonymous_auth(const struct facts *f, struct result *r);
void check_kubelet_authorization_mode(const struct facts *f, struct result *r);
void check_kubelet_client_ca_file(const struct facts *f, struct result *r);
void check_kubelet_read_only_port(const struct facts *f, struct result *r);
void check_kubelet_streaming_idle_timeout(const struct facts *f, struct result *r);
void check_kubelet_protect_kernel_defaults(const struct facts *f, struct result *r);
void check_kubelet_iptables_util_chains(const struct facts *f, struct result *r);
void check_kubelet_hostname_override(const struct facts *f, struct result *r);
void check_kubelet_event_qps(const struct facts *f, struct result *r);
void check_kubelet_rotate_certificates(const struct facts *f, struct result *r);
void check_kubelet_server_cert_rotation(const struct facts *f, struct result *r);
void check_kubelet_tls_cipher_suites(const struct facts *f, struct result *r);
void check_kubelet_config_permissions(const struct facts *f, struct result *r);
void check_kubelet_config_ownership(const struct facts *f, struct result *r);
void check_kubelet_kubeconfig_permissions(const struct facts *f, struct result *r);
void check_kubelet_kubeconfig_ownership(const struct facts *f, struct result *r);

/* Worker-node items beyond the kubelet's own settings (checks/kubelet_node.c). */
void check_kubelet_service_file_permissions(const struct facts *f, struct result *r);
void check_kubelet_service_file_ownership(const struct facts *f, struct result *r);
void check_kubelet_client_ca_permissions(const struct facts *f, struct result *r);
void check_kubelet_client_ca_ownership(const struct facts *f, struct result *r);
void check_kubelet_pod_pids_limit(const struct facts *f, struct result *r);
void check_kubelet_seccomp_default(const struct facts *f, struct result *r);
void check_kubelet_tls_cert_files(const struct facts *f, struct result *r);
void check_kubelet_kernel_tunables(const struct facts *f, struct result *r);
void check_kube_proxy_kubeconfig_permissions(const struct facts *f, struct result *r);
void check_kube_proxy_kubeconfig_ownership(const struct facts *f, struct result *r);
void check_kube_proxy_metrics_bind_address(const struct facts *f, struct result *r);
/* The most permissive mode a permission check accepts: its benchmark item's, else 0644. */
unsigned check_max_mode(const struct result *r);

/* The host hardening checks under the kubelet (checks/host.c). */
void check_host_sysctl_suid_dumpable(const struct facts *f, struct result *r);
void check_host_sysctl_aslr(const struct facts *f, struct result *r);
void check_host_sysctl_unpriv_bpf(const struct facts *f, struct result *r);
void check_host_sysctl_user_namespaces(const struct facts *f, struct result *r);
void check_host_sysctl_redirects(const struct facts *f, struct result *r);
void check_host_sysctl_source_route(const struct facts *f, struct result *r);
void check_host_sysctl_log_martians(const struct facts *f, struct result *r);
void check_host_ip_forward(const struct facts *f, struct result *r);
void check_host_selinux(const struct facts *f, struct result *r);
void check_host_kernel_lockdown(const struct facts *f, struct result *r);
void check_host_root_verity(const struct facts *f, struct result *r);
void check_host_time_sync(const struct facts *f, struct result *r);
void check_host_journald_persistent(const struct facts *f, struct result *r);
void check_host_journal_permissions(const struct facts *f, struct result *r);
void check_host_auditd(const struct facts *f, struct result *r);
void check_host_audit_rules(const struct facts *f, struct result *r);
/* The containerd checks (checks/containerd.c). */
void check_containerd_registry_tls_verify(const struct facts *f, struct result *r);
void check_containerd_registry_plain_http(const struct facts *f, struct result *r);
void check_containerd_registry_allowlist(const struct facts *f, const struct policy *p, struct result *r);
void check_containerd_socket_permissions(const struct facts *f, struct result *r);
void check_containerd_unprivileged_ports(const struct facts *f, struct result *r);

/* The ssh checks (checks/ssh.c). */
void check_ssh_permit_root_login(const struct facts *f, struct result *r);
void check_ssh_password_authentication(const struct facts *f, struct result *r);
void check_ssh_permit_empty_passwords(const struct facts *f, struct result *r);
void check_ssh_hostbased_authentication(const struct facts *f, struct result *r);
void check_ssh_permit_user_environment(const struct facts *f, struct result *r);
void check_ssh_x11_forwarding(const struct facts *f, struct result *r);
void check_ssh_tcp_forwarding(const struct facts *f, struct result *r);
void check_ssh_max_auth_tries(const struct facts *f, struct result *r);
void check_ssh_login_grace_time(const struct facts *f, struct result *r);
void check_ssh_client_alive(const struct facts *f, struct result *r);
void check_ssh_log_level(const struct facts *f, struct result *r);
void check_ssh_access_limited(const struct facts *f, struct result *r);
void check_ssh_match_override(const struct facts *f, struct result *r);
void check_ssh_config_permissions(const struct facts *f, struct result *r);
void check_ssh_host_key_permissions(const struct facts *f, struct result *r);
void check_ssh_authorized_keys(const struct facts *f, struct result *r);
void check_ssh_daemon_enabled(const struct facts *f, struct result *r);

/* The metadata service, node SSH and API endpoint checks (checks/imds.c). */
void check_imds_v1_enabled(const struct facts *f, struct result *r);
void check_imds_hop_limit(const struct facts *f, struct result *r);
void check_imds_pod_reachable(const struct facts *f, struct result *r);
void check_imds_pod_token(const struct facts *f, struct result *r);
void check_ssh_pod_reachable(const struct facts *f, struct result *r);
void check_node_public_ip(const struct facts *f, struct result *r);
void check_node_api_endpoint_private(const struct facts *f, struct result *r);

/* The network checks (listeners from NETLINK_SOCK_DIAG, processes from --proc). */
void check_ssh_exposed(const struct facts *f, struct result *r);
void check_net_wildcard_listeners(const struct facts *f, const struct policy *p, struct result *r);
void check_net_kubelet_api_exposed(const struct facts *f, struct result *r);
void check_net_policy_engine(const struct facts *f, struct result *r);
/* A TCP listener on @port in the collected inventory; NULL if none or not collected. */
const struct listener *net_read_only_listener(const struct facts *f, long port);
/* The live kubelet checks (checks/kubelet_live.c). */
void check_kubelet_live_read_only_port(const struct facts *f, struct result *r);
void check_kubelet_live_anonymous(const struct facts *f, struct result *r);
void check_kubelet_live_tls(const struct facts *f, struct result *r);
void check_kubelet_live_serving_cert(const struct facts *f, struct result *r);
void check_kubelet_live_config_drift(const struct facts *f, struct result *r);
void check_kubelet_pod_attempts(const struct facts *f, struct result *r);
/* The observed-connection checks (eBPF, with --observe). */
void check_ssh_pod_attempts(const struct facts *f, struct result *r);
void check_imds_pod_attempts(const struct facts *f, struct result *r);
/* The Bottlerocket checks (checks/bottlerocket.c). */
void check_bottlerocket_admin_container(const struct facts *f, struct result *r);
void check_bottlerocket_admin_ssh(const struct facts *f, struct result *r);
void check_bottlerocket_control_container(const struct facts *f, struct result *r);
void check_bottlerocket_standalone_mode(const struct facts *f, struct result *r);
/* Whether the node is Bottlerocket (false: @r is a SKIP); auditd's checks do not apply there. */
bool bottlerocket_applies(const struct facts *f, struct result *r);
bool host_auditd_applies(const struct facts *f, struct result *r);
/* A failed kubelet authentication check on a standalone Bottlerocket kubelet says so. */
void bottlerocket_standalone_note(const struct facts *f, struct result *r);
