/* benchmarks: the CIS benchmarks nodeward maps its checks to, and which item each check is in each. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct facts;

enum assessment {
        ASSESS_AUTOMATED,
        ASSESS_MANUAL
};

struct benchmark {
        const char *id;      /* what --benchmark takes: "cis-eks-1.8.0" */
        const char *name;    /* "CIS Amazon EKS Benchmark" */
        const char *version; /* "1.8.0" */
        unsigned bit;        /* this benchmark's bit in bench_item.in */
};

/* One row: a check is item @item of every benchmark whose bit is in @in. */
struct bench_item {
        const char *check;
        const char *item;
        unsigned char level; /* CIS profile level: 1 or 2 */
        enum assessment assessment;
        /* Permission items: the most permissive mode the item accepts (0: not a
         * permission item). The benchmarks disagree (EKS 644, Kubernetes 600). */
        unsigned max_mode;
        unsigned in;
};

extern const struct benchmark benchmarks[];
extern const size_t benchmarks_len;
extern const struct bench_item bench_items[];
extern const size_t bench_items_len;

/* An id from the table, or an alias: "cis-eks" and "cis-kubernetes" (the newest of each). */
const struct benchmark *benchmark_find(const char *id);
/* The newest CIS Amazon EKS Benchmark: the default. */
const struct benchmark *benchmark_default(void);
/* The item @check_id is in @b; NULL when the benchmark has no such item. */
const struct bench_item *benchmark_item(const struct benchmark *b, const char *check_id);
const char *assessment_name(enum assessment a);
/* "CIS Amazon EKS Benchmark 1.8.0 3.2.1", malloc'ed: the reference as one string. */
char *benchmark_ref_str(const struct benchmark *b, const struct bench_item *it);

/* The benchmark that fits the node when --benchmark is not given: kubeadm nodes
 * get CIS Kubernetes, EKS nodes (Amazon Linux, Bottlerocket) and anything
 * unrecognised the newest CIS EKS. *ret_why says what decided it. */
const struct benchmark *benchmark_for_node(const struct facts *f, const char **ret_why);
