/* catalog: the one table of every check nodeward runs. Ids are a contract.
 * CIS item numbers are not here: checks/benchmarks.c maps each check to its item
 * in each benchmark version; these references are the other sources. */
#include "check.h"
#include "collect/facts.h"

/* The trailing fields of a check (what it also uses, its required value) are
 * optional: rows that leave them out mean zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define EKSBP(n) "EKS Best Practices: " n
#define SSG(n) "xccdf_org.ssgproject.content_rule_" n
#define AL23 "CIS Amazon Linux 2023, section 5.1 (SSH server)"
#define STIG "DISA Kubernetes STIG (node remote access)"
#define K8SDOC(n) "Kubernetes documentation: " n
/* The EKS guide's case against SSH on nodes (use SSM Session Manager instead). */
#define EKS_NO_SSH EKSBP("Protecting the infrastructure (hosts): Minimize access to worker nodes")
#define SSHD_MATCH "OpenBSD manual sshd_config(5): Match"
/* CIS Bottlerocket items as bottlerocket-os/bottlerocket sources/bloodhound
 * (bottlerocket-cis-checks) numbers them; CIS Amazon Linux items by title. */
#define CISBR(n) "CIS Bottlerocket Benchmark " n
#define CISAL(t) "CIS Amazon Linux 2 and 2023: " t

/* A row, CHECK(fn, id, title, severity, needs, {references}, remediation, optional .member = ...), is
 * the check_def of a check run by @fn; CHECK_POLICY's @fn also reads the policy. The rows live by area
 * in checks/catalog_*.h, laid out by hand (clang-format would put each field on a line), and
 * check.h declares each @fn from the same rows. The order of the includes is the catalog's. */
#define CHECK(func, ...) {__VA_ARGS__, .fn = func},
#define CHECK_POLICY(func, ...) {__VA_ARGS__, .policy_fn = func},
/* clang-format off */
const struct check_def check_catalog[] = {
#include "catalog_kubelet.h"
#include "catalog_host.h"
#include "catalog_containerd.h"
#include "catalog_ssh.h"
#include "catalog_network.h"
#include "catalog_bottlerocket.h"
};
/* clang-format on */
#undef CHECK
#undef CHECK_POLICY

const size_t check_catalog_len = sizeof(check_catalog) / sizeof(check_catalog[0]);
