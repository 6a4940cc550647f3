/* check: one run: collect what the selected checks need, give up privileges,
 * judge, and render the report in the format asked for. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine.h"
#include "expect.h"
#include "base/sandbox.h"
#include "base/textfile.h"
#include "render/report.h"
#include "render/report_fleet.h"

/* A whole check's collection, by default (--deadline). */
#define CHECK_DEADLINE_S 60

static const char check_help[] =
        "Usage: nodeward check [OPTIONS]\n"
        "Inspect this node and report each hardening check with its evidence.\n"
        "\n"
        "  --root DIR          read host files under DIR (default /); never outside it\n"
        "  --proc DIR          process table to read (default ROOT/proc)\n"
        "  --only LIST         run only these checks: ids or areas, comma-separated\n"
        "                      (--only kubelet, --only kubelet.read-only-port,kubelet.anonymous-auth)\n"
        "  --skip LIST         leave these checks out (same forms as --only)\n"
        "  --format FMT        text (default), json (schema nodeward.report/v1),\n"
        "                      sarif (SARIF 2.1.0), prometheus (text exposition format),\n"
        "                      npd (one line for a node-problem-detector custom plugin),\n"
        "                      openreports (an openreports.io ClusterReport for the Node),\n"
        "                      policyreport (a wgpolicyk8s.io/v1alpha2 ClusterPolicyReport),\n"
        "                      asff (Security Hub BatchImportFindings input), ocsf (OCSF\n"
        "                      Compliance Finding lines), junit (JUnit XML)\n"
        "  --fail-on SEV       exit 1 when a check at or above SEV fails:\n"
        "                      info, low (default), medium, high, critical\n"
        "  --output FILE       write the report to FILE instead of standard output\n"
        "  --textfile PATH     also write Prometheus metrics to PATH, replaced atomically\n"
        "                      (for node_exporter --collector.textfile.directory)\n"
        "  --pod-netns PATH    probe the metadata service and node SSH from this network\n"
        "                      namespace (e.g. /run/netns/cni-...); default: nodeward's own\n"
        "                      when it runs in a pod, else /run/netns/cni-* under --root,\n"
        "                      else the namespace of a process in a kubepods cgroup\n"
        "  --netns PATH        the node's network namespace for the socket checks\n"
        "                      (default PROC/1/ns/net, the host's)\n"
        "  --probe             run the network probes (metadata service, DNS, kubelet\n"
        "                      ports, pod reachability) even when PROC is not a live\n"
        "                      procfs; without it a fixture root sends nothing\n"
        "  --allow-listener PROC:PORT\n"
        "                      a listener on every address that net.wildcard-listeners\n"
        "                      accepts (repeatable; PROC or PORT may be *)\n"
        "  --allow-listeners-file FILE\n"
        "                      more PROC:PORT entries, one per line (# comments)\n"
        "  --audit-watch FILE  the paths host.audit-rules wants watched, one absolute path\n"
        "                      per line (# comments); default: the kubelet binary and\n"
        "                      config, /etc/kubernetes, containerd's config and /run/containerd\n"
        "  --allow-registries FILE\n"
        "                      the registries containerd may pull from, one host[:port]\n"
        "                      or glob per line (# comments), for containerd.registry-allowlist\n"
        "  --observe SECONDS   watch pods' TCP connect attempts with eBPF that long first\n"
        "                      (ssh.pod-attempts, imds.pod-attempts; they skip without it)\n"
        "  --benchmark ID      the benchmark whose items the report references (see\n"
        "                      nodeward list --benchmarks); default: chosen for the node:\n"
        "                      kubeadm -> cis-kubernetes, otherwise cis-eks (the newest)\n"
        "  --expect kubelet    this node runs a kubelet: not finding one is an error\n"
        "                      (its checks are error, exit 2), not a skip\n"
        "  --quiet             text: only failures and errors, then the summary line\n"
        "  --wide              text: full evidence (default: shortened to $COLUMNS, the\n"
        "                      terminal's width, or 100 columns)\n"
        "  --aws-account ID    asff: the AWS account (default: NODEWARD_AWS_ACCOUNT, the\n"
        "                      cluster ARN's, else 000000000000)\n"
        "  --aws-region REGION asff: the region (default: NODEWARD_AWS_REGION, the cluster\n"
        "                      ARN's, else unknown-region)\n"
        "  --cluster-arn ARN   asff: the EKS cluster, an AwsEksCluster resource of every\n"
        "                      finding (default: NODEWARD_CLUSTER_ARN)\n"
        "  --deadline SECONDS  stop collecting after this long (default 60, plus\n"
        "                      --observe; 0: none): a collector still running then\n"
        "                      makes its checks errors that name it, the rest report\n"
        "  --verbose           show libbpf's messages\n"
        "  -h, --help          this help\n"
        "\n"
        "Exit status: 0 nothing failed at or above --fail-on; 1 something did;\n"
        "2 nothing failed but a check could not be evaluated, or a usage/internal error.\n";

/* ASFF names the account, region and cluster: the options', else the run's, else placeholders. */
static void render_asff(FILE *out, const struct opts *o, const struct run *run, const struct report_meta *meta)
{
        struct aws_identity id = o->aws;
        struct aws_identity_buf buf;
        char *placeholders = NULL;
        report_aws_identity_fill(run, &id, &buf, &placeholders);
        if (placeholders)
                fprintf(stderr,
                        "nodeward: asff: placeholders for what is not known (--aws-account, "
                        "--aws-region, --cluster-arn or the metadata service tell it): %s\n",
                        placeholders);
        free(placeholders);
        cli_print_json(out, report_asff(run, meta, &id));
}

/* Every format renders the same run; only the exit code is shared policy. */
static void render_report(FILE *out, const struct opts *o, const struct run *run, const struct report_meta *meta,
                          int rc)
{
        switch (o->format) {
        case FMT_JSON: cli_print_json(out, report_json(run, meta)); break;
        case FMT_SARIF: cli_print_json(out, report_sarif(run, meta, rc)); break;
        case FMT_PROMETHEUS: report_prometheus(out, run, meta); break;
        case FMT_OPENREPORTS:
        case FMT_POLICYREPORT:
                cli_print_json(out, report_openreports_build(run, meta,
                                                             o->format == FMT_OPENREPORTS ? REPORT_API_OPENREPORTS
                                                                                          : REPORT_API_POLICYREPORT));
                break;
        case FMT_ASFF: render_asff(out, o, run, meta); break;
        case FMT_OCSF: report_ocsf(out, run, meta); break;
        case FMT_JUNIT: report_junit(out, run, meta); break;
        case FMT_NPD: {
                char *line = report_npd_line(run, o->fail_on, rc);
                fprintf(out, "%s\n", line);
                free(line);
                break;
        }
        default: {
                struct text_opts t = {.color = isatty(fileno(out)) && !getenv("NO_COLOR"),
                                      .quiet = o->quiet,
                                      .width = cli_text_width(out, o->wide),
                                      .fail_on = o->fail_on,
                                      .kubelet_expected = o->expect & EXPECT_KUBELET};
                report_text(out, run, meta, &t);
                break;
        }
        }
}

/* The report file (--output) and the metrics' temporary file (--textfile). */
static int open_outputs(const struct opts *o, FILE **ret_out, struct textfile *ret_tf)
{
        FILE *out = stdout;
        if (o->output) {
                /* Never through a link planted where the report goes. */
                int fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
                if (fd < 0 || !(out = fdopen(fd, "w"))) {
                        int e = errno;
                        if (fd >= 0)
                                close(fd);
                        fprintf(stderr, "nodeward: --output %s: %s\n", o->output, strerror(e));
                        return -e;
                }
        }
        int r = o->textfile ? textfile_begin(o->textfile, ret_tf) : 0;
        if (r < 0) {
                fprintf(stderr, "nodeward: --textfile %s: %s\n", o->textfile, strerror(-r));
                if (out != stdout)
                        fclose(out);
                return r;
        }
        *ret_out = out;
        return 0;
}

/* The options check refuses: text-only ones with another format, watch's, and
 * ASFF's with another format. */
static int check_options_valid(struct opts *o)
{
        if ((o->quiet || o->wide) && o->format != FMT_TEXT) {
                fprintf(stderr, "nodeward: check: --%s shapes the text report only, not --format %s\n",
                        o->quiet ? "quiet" : "wide", cli_format_names[o->format]);
                return -EINVAL;
        }
        if (o->state || o->interval || (o->given & PUBLISH_BITS)) {
                fprintf(stderr, "nodeward: check: --%s applies to watch only (check runs once)\n",
                        o->state      ? "state"
                        : o->interval ? "interval"
                                      : "publish");
                return -EINVAL;
        }
        return cli_aws_options(o);
}

/* What the run collects: the selected checks' facts, --expect's, the kubelet when
 * the benchmark is chosen for the node (by how its kubelet runs), and the
 * metadata service for ASFF (the account, region and instance it names). */
static unsigned check_needs(const struct opts *o, const bool *selected)
{
        unsigned needs = engine_needs(selected) | expect_needs(o->expect) | (o->benchmark ? 0 : FACT_KUBELET);
        if (o->format == FMT_ASFF)
                needs |= FACT_IMDS;
        return needs;
}

/* After collecting: nothing privileged is left to do. The outputs are opened only
 * now, holding nothing a planted path could use, and then the sandbox leaves the
 * rest of the run its outputs and nothing else. *ret_dropped: all of it held. */
static int check_confine(const struct opts *o, const struct facts *f, FILE **ret_out, struct textfile *ret_tf,
                         bool *ret_dropped)
{
        bool dropped = cli_drop_privileges(f->privs_error) == 0;
        if (open_outputs(o, ret_out, ret_tf) < 0)
                return -EIO;
        char *serr = NULL;
        int sr = sandbox_install(SANDBOX_REPORT, &serr);
        if (sr == -ENOSYS) {
                fprintf(stderr, "nodeward: warning: no seccomp filter: %s\n", serr);
        } else if (sr < 0) {
                fprintf(stderr, "nodeward: error: could not install the seccomp filter: %s\n", serr);
                dropped = false;
        }
        free(serr);
        sandbox_test_hook();
        *ret_dropped = dropped;
        return 0;
}

/* The report, the metrics file and the flush; the exit status @rc, or 2 when
 * something could not be written. */
static int check_write(FILE *out, struct textfile *tf, const struct opts *o, const struct run *run,
                       const struct report_meta *meta, int rc)
{
        render_report(out, o, run, meta, rc);
        if (tf->f) {
                report_prometheus(tf->f, run, meta);
                int tr = textfile_commit(tf);
                if (tr < 0) {
                        fprintf(stderr, "nodeward: --textfile %s: %s\n", o->textfile, strerror(-tr));
                        rc = EXIT_USAGE;
                }
        }
        if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
                fprintf(stderr, "nodeward: writing the report: %s\n", strerror(errno));
                rc = EXIT_USAGE;
        }
        return rc;
}

/* Judge the facts: the benchmark (given or chosen for the node), --expect. */
static int check_evaluate(const struct opts *o, const struct facts *f, const struct run_prep *prep, struct run *ret)
{
        char *unmet = expect_unmet(o->expect, f);
        if (unmet)
                fprintf(stderr, "nodeward: error: %s\n", unmet);
        free(unmet);
        const char *why = "--benchmark";
        const struct benchmark *bench = o->benchmark ? o->benchmark : benchmark_for_node(f, &why);
        engine_run_benchmark(f, &prep->policy, prep->selected, bench, why, ret);
        return expect_apply(o->expect, f, ret, o->fail_on);
}

int cmd_check(int argc, char **argv)
{
        struct opts o = {0};
        struct run_prep prep;
        if (cli_parse_options(argc, argv, &o, true, check_help) < 0 || check_options_valid(&o) < 0 ||
            run_prep_from_options(&o, &prep) < 0)
                return EXIT_USAGE;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct report_meta meta;
        report_meta_start(&meta);
        struct collect_opts co = prep.collect;
        co.needs = check_needs(&o, prep.selected);
        co.observe_seconds = o.observe;
        co.deadline_ms = (unsigned)(o.deadline < 0 ? CHECK_DEADLINE_S : o.deadline) * 1000u;
        struct facts f;
        char *err = NULL;
        if (facts_collect(&co, &f, &err) < 0) {
                fprintf(stderr, "nodeward: %s\n", err);
                free(err);
                run_prep_free(&prep);
                return EXIT_USAGE;
        }
        if (f.unfinished)
                fprintf(stderr, "nodeward: error: %s: the checks that need it or a later collector are errors\n",
                        f.deadline_error);
        FILE *out = stdout;
        struct textfile tf = {0};
        bool dropped;
        if (check_confine(&o, &f, &out, &tf, &dropped) < 0) {
                run_prep_free(&prep);
                facts_free(&f);
                return EXIT_USAGE;
        }
        struct run run;
        int rc = check_evaluate(&o, &f, &prep, &run);
        report_meta_finish(&meta, &t0);
        /* README promises a run that holds nothing once the facts are in. */
        rc = check_write(out, &tf, &o, &run, &meta, dropped ? rc : EXIT_USAGE);
        run_free(&run);
        bool stalled = f.unfinished != 0;
        facts_free(&f);
        run_prep_free(&prep);
        if (stalled) {
                /* A collector thread still runs: exit without the library destructors
                 * (OpenSSL's, libbpf's) that it may be using. */
                fflush(stdout);
                fflush(stderr);
                _exit(rc);
        }
        return rc;
}
