/* remedy: the remediation of a failed check, naming where this node sets the value. */
#pragma once

#include <cjson/cJSON.h>

#include "check.h"

/* How the node's kubelet is configured, which decides where a value is changed. */
enum node_flavour {
        FLAVOUR_OTHER,
        FLAVOUR_AL2,          /* EKS AMI on Amazon Linux 2: /etc/eks/bootstrap.sh, --kubelet-extra-args */
        FLAVOUR_AL2023,       /* EKS AMI on AL2023: nodeadm's NodeConfig */
        FLAVOUR_BOTTLEROCKET, /* settings.kubernetes.* through the Bottlerocket API */
        FLAVOUR_KUBEADM,      /* kubeadm's KubeletConfiguration and kubeadm-flags.env */
};

enum node_flavour remedy_flavour(const struct facts *f);
const char *remedy_flavour_name(enum node_flavour fl);

/* The sentence for @r (a failed or warned result) built from where its value came
 * from on this node; NULL when nothing more specific than the catalog's text is
 * known. The caller frees it. */
char *remedy_text(const struct facts *f, const struct result *r);

/* The value at @dotted_path of the check's fix fragment (a kubelet check's
 * .fix), or NULL. Not owned: it points into @fix. */
const cJSON *remedy_fix_value(const cJSON *fix, const char *dotted_path);
