/* main: the nodeward command line: one table of commands, each with its help beside it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy/allowlist.h"
#include "policy/policy.h"
#include "collect/node/hostsec.h"
#include "engine.h"
#include "expect.h"
#include "base/procfs.h"
#include "base/sandbox.h"
#include "collect/facts.h"
#include "cli/fix.h"
#include "render/list.h"
#include "base/privs.h"
#include "base/redact.h"
#include "render/report.h"
#include "render/report_fleet.h"
#include "collect/net/sockets.h"
#include "base/textfile.h"
#include "base/util.h"
#include "base/version.h"
#include "cli/watch.h"
#include "render/publish.h"

#define EXIT_USAGE 2

enum format {
        FMT_TEXT,
        FMT_JSON,
        FMT_SARIF,
        FMT_PROMETHEUS,
        FMT_NPD,
        FMT_OPENREPORTS,
        FMT_POLICYREPORT,
        FMT_ASFF,
        FMT_OCSF,
        FMT_JUNIT
};
static const char *const format_names[] = {"text",        "json",         "sarif", "prometheus", "npd",
                                           "openreports", "policyreport", "asff",  "ocsf",       "junit"};

#define MAX_ALLOW_LISTENERS 256

struct opts {
        const char *root, *proc, *only, *skip, *output, *textfile, *pod_netns, *netns, *allow_file, *state,
                *audit_watch, *registries_file;
        const char *publish_api, *publish_token, *publish_ca; /* watch --publish */
        bool publish;
        struct aws_identity aws; /* --aws-account, --aws-region, --cluster-arn (ASFF) */
        const char *allow[MAX_ALLOW_LISTENERS];
        size_t n_allow;
        enum format format;
        enum severity fail_on;
        const struct benchmark *benchmark; /* --benchmark; NULL: chosen for the node */
        int observe;
        int interval;
        int deadline;    /* --deadline SECONDS; -1: not given (60 s) */
        unsigned expect; /* EXPECT_* */
        bool verbose, quiet, wide, probe;
        unsigned long given; /* OPT_BIT() of each long option seen, to refuse repeats and misplaced ones */
};

/* A whole check's collection, by default (--deadline). */
#define CHECK_DEADLINE_S 60

enum {
        O_ROOT = 256,
        O_PROC,
        O_ONLY,
        O_SKIP,
        O_FORMAT,
        O_FAIL_ON,
        O_OUTPUT,
        O_TEXTFILE,
        O_POD_NETNS,
        O_NETNS,
        O_ALLOW,
        O_ALLOW_FILE,
        O_OBSERVE,
        O_VERBOSE,
        O_INTERVAL,
        O_BENCHMARK,
        O_EXPECT,
        O_STATE,
        O_QUIET,
        O_WIDE,
        O_AUDIT_WATCH,
        O_PUBLISH,
        O_PUBLISH_API,
        O_PUBLISH_TOKEN,
        O_PUBLISH_CA,
        O_ALLOW_REGISTRIES,
        O_AWS_ACCOUNT,
        O_AWS_REGION,
        O_CLUSTER_ARN,
        O_PROBE,
        O_DEADLINE
};
#define OPT_BIT(c) (1UL << ((c)-O_ROOT))
#define PUBLISH_BITS (OPT_BIT(O_PUBLISH) | OPT_BIT(O_PUBLISH_API) | OPT_BIT(O_PUBLISH_TOKEN) | OPT_BIT(O_PUBLISH_CA))

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

static const char watch_help[] =
        "Usage: nodeward watch [--root DIR] [--proc DIR] [--only LIST] [--skip LIST]\n"
        "                      [--interval SECONDS] [--textfile PATH] [--verbose]\n"
        "                      [--pod-netns PATH] [--netns PATH] [--probe] [--allow-listener PROC:PORT]...\n"
        "                      [--allow-listeners-file FILE] [--benchmark ID]\n"
        "                      [--expect kubelet] [--audit-watch FILE]   (as for check)\n"
        "                      [--state FILE]\n"
        "                      [--publish [--publish-api URL] [--publish-token-file FILE] [--publish-ca FILE]]\n"
        "Observe pods' TCP connect attempts with eBPF continuously and re-run the selected\n"
        "checks every --interval seconds (default 60). Prints JSON lines on standard output:\n"
        "  {\"event\":\"attached\"|\"error\"}   once, how the probe is attached or why it is not\n"
        "  {\"event\":\"finding\",...}          at once, for each new pod/destination attempt\n"
        "  {\"event\":\"summary\",...}          every interval: counts and every result\n"
        "  {\"event\":\"publish\",...}          --publish: after each summary, what was applied or why not\n"
        "  {\"event\":\"exit\"}                 on SIGTERM or SIGINT, after detaching\n"
        "  --textfile PATH     also write the Prometheus metrics every interval, replaced atomically\n"
        "  --state FILE        keep FILE current with whether the eBPF probe is attached,\n"
        "                      for `nodeward ready` (a readiness probe)\n"
        "  --expect kubelet    not finding a kubelet makes its checks error in every summary\n"
        "  --publish           also apply the results as an OpenReports ClusterReport\n"
        "                      (openreports.io/v1alpha1) named nodeward-NODE, owned by the Node\n"
        "                      $NODE_NAME, through the API server (server-side apply), at the\n"
        "                      start, when a result changes, and hourly; failures are reported\n"
        "                      as publish events and retried at the next interval\n"
        "  --publish-api URL   https://IP[:PORT] of the API server (default: the in-cluster\n"
        "                      $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)\n"
        "  --publish-token-file FILE  bearer token, re-read for every request (default: the\n"
        "                      service account's " KUBEAPI_SA_DIR "/token)\n"
        "  --publish-ca FILE   the only CA trusted for the API server (default: the service\n"
        "                      account's ca.crt); the server's certificate must name its IP\n"
        "Exit status: 0 after SIGTERM/SIGINT; 2 usage error, the root cannot be opened,\n"
        "or capabilities could not be dropped.\n";

static const char explain_help[] = "Usage: nodeward explain kubelet|sshd|containerd [--root DIR] [--proc DIR]\n"
                                   "kubelet: print the kubelet's effective configuration as JSON: how the kubelet was\n"
                                   "found, its command line, config file, drop-ins, and for every checked field its\n"
                                   "value and where it came from (default, file, drop-in or flag).\n"
                                   "sshd: print sshd's effective global configuration as `sshd -T` does, one\n"
                                   "`keyword value` line per setting (the running sshd's -f, -o and -p count, then\n"
                                   "ROOT/etc/ssh/sshd_config with its Includes, then the defaults).\n"
                                   "containerd: print containerd's effective registry configuration as JSON:\n"
                                   "config.toml and its imports, the registry hosts (mirrors, hosts.toml servers\n"
                                   "and hosts) with TLS and plain-HTTP settings, unprivileged ports/ICMP and the\n"
                                   "CRI socket, each value with the file and line it came from (or default).\n"
                                   "Exit status: 0, or 2 when the configuration could not be read completely\n"
                                   "(sshd: a configuration sshd would refuse, reported as FILE line N: reason).\n";

static const char list_help[] = "Usage: nodeward list [--benchmark ID] [--format text|json]\n"
                                "       nodeward list --benchmarks\n"
                                "Print the check catalog: id, severity, the check's item in the benchmark\n"
                                "(default: the newest CIS Amazon EKS Benchmark) with its profile level and\n"
                                "whether it is automated or manual, title and references. A check the\n"
                                "benchmark has no item for says so. --benchmarks lists the benchmark ids.\n";

static const char sockets_help[] =
        "Usage: nodeward sockets [--netns PATH] [--proc DIR] [--no-owners] [--format text|json]\n"
        "                        [--verbose]\n"
        "List listening TCP and bound UDP sockets, IPv4 and IPv6, with the processes\n"
        "that hold them, as `ss -ltnup` does (read through NETLINK_SOCK_DIAG).\n"
        "\n"
        "  --netns PATH        the network namespace to read (e.g. /run/netns/NAME);\n"
        "                      default the host's: PROC/1/ns/net\n"
        "  --proc DIR          process table to find owners in (default /proc)\n"
        "  --no-owners         do not look for the processes (as ss without -p)\n"
        "  --format FMT        text (default) or json (schema nodeward.sockets/v1)\n"
        "  --verbose           say on stderr how the owners were found: one eBPF\n"
        "                      task_file iterator pass, or the PROC/<pid>/fd walk\n"
        "  -h, --help          this help\n"
        "\n"
        "Exit status: 0 listed (owners that could not be read are reported on stderr);\n"
        "2 the sockets could not be read, or a usage error.\n";

static const char ready_help[] = "Usage: nodeward ready --state FILE\n"
                                 "Readiness of a running `nodeward watch --state FILE`: ready when its eBPF probe\n"
                                 "is attached (or no selected check needs it) and the watch rewrote FILE within\n"
                                 "two intervals and a minute. Prints one line saying why.\n"
                                 "Exit status: 0 ready; 1 not ready (probe not attached, watch gone or stuck,\n"
                                 "FILE missing); 2 usage error.\n";

static const char fix_help[] = "Usage: nodeward fix --dry-run [--root DIR] [--proc DIR] [--out DIR]\n"
                               "Write the smallest set of drop-ins that makes every failed kubelet and sshd check\n"
                               "pass, and prove it: the node's kubelet and sshd files are copied to a temporary\n"
                               "directory, the drop-ins added, the configuration resolved again, and each check\n"
                               "shown before -> after. Nothing is written to the node; apply the files yourself\n"
                               "(or in the image build).\n"
                               "\n"
                               "  --dry-run           required: fix only ever plans and proves\n"
                               "  --root DIR          read host files under DIR (default /)\n"
                               "  --proc DIR          process table to read (default ROOT/proc)\n"
                               "  --out DIR           write the files under DIR at their node paths\n"
                               "                      (DIR/etc/ssh/sshd_config.d/...); default: print them\n"
                               "  -h, --help          this help\n"
                               "\n"
                               "A kubelet drop-in is named to sort last in the --config-dir the kubelet uses; a\n"
                               "value set by a flag cannot be overridden by a file, so the flag to remove is named.\n"
                               "An sshd file is named to sort first in the directory sshd_config includes (sshd keeps\n"
                               "the first value), with a Match block where an existing one weakens a value.\n"
                               "\n"
                               "Exit status: 0 every planned check passes on the copy; 1 some failure needs a\n"
                               "change no drop-in can make; 2 usage error or the root cannot be read.\n";

static const char version_help[] = "Usage: nodeward version\nPrint the version.\n";

/* Commands other than check render only text and JSON. */
static int parse_format(const char *s, bool all, enum format *ret)
{
        size_t n = all ? ARRAY_SIZE(format_names) : 2;
        for (size_t i = 0; i < n; i++)
                if (strcmp(s, format_names[i]) == 0) {
                        *ret = (enum format)i;
                        return 0;
                }
        fprintf(stderr, "nodeward: --format: unknown format \"%s\" (%s)\n", s,
                all ? "text, json, sarif, prometheus, npd, openreports, policyreport, asff, ocsf or junit"
                    : "text or json");
        return -EINVAL;
}

/* An account is 12 digits, a region lower-case letters, digits and '-', a cluster ARN
 * arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME. */
static int parse_aws(int opt, const char *v, struct aws_identity *id)
{
        size_t n = strlen(v);
        bool ok;
        if (opt == O_AWS_ACCOUNT)
                ok = n == 12 && strspn(v, "0123456789") == 12;
        else if (opt == O_AWS_REGION)
                ok = n >= 4 && n < 32 && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
        else
                ok = str_startswith(v, "arn:") && strstr(v, ":eks:") && strstr(v, ":cluster/") && n < 2048;
        if (!ok) {
                fprintf(stderr, "nodeward: --%s: \"%s\" is not %s\n",
                        opt == O_AWS_ACCOUNT  ? "aws-account"
                        : opt == O_AWS_REGION ? "aws-region"
                                              : "cluster-arn",
                        v,
                        opt == O_AWS_ACCOUNT  ? "a 12-digit AWS account id"
                        : opt == O_AWS_REGION ? "an AWS region (e.g. eu-west-1)"
                                              : "an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)");
                return -EINVAL;
        }
        *(opt == O_AWS_ACCOUNT ? &id->account : opt == O_AWS_REGION ? &id->region : &id->cluster_arn) = v;
        return 0;
}

static int parse_common(int argc, char **argv, struct opts *o, bool check_opts, const char *help)
{
        static const struct option all[] = {
                {"root", required_argument, NULL, O_ROOT},
                {"proc", required_argument, NULL, O_PROC},
                {"format", required_argument, NULL, O_FORMAT},
                {"help", no_argument, NULL, 'h'},
                {"only", required_argument, NULL, O_ONLY},
                {"skip", required_argument, NULL, O_SKIP},
                {"fail-on", required_argument, NULL, O_FAIL_ON},
                {"output", required_argument, NULL, O_OUTPUT},
                {"textfile", required_argument, NULL, O_TEXTFILE},
                {"pod-netns", required_argument, NULL, O_POD_NETNS},
                {"netns", required_argument, NULL, O_NETNS},
                {"allow-listener", required_argument, NULL, O_ALLOW},
                {"allow-listeners-file", required_argument, NULL, O_ALLOW_FILE},
                {"audit-watch", required_argument, NULL, O_AUDIT_WATCH},
                {"observe", required_argument, NULL, O_OBSERVE},
                {"verbose", no_argument, NULL, O_VERBOSE},
                {"interval", required_argument, NULL, O_INTERVAL},
                {"benchmark", required_argument, NULL, O_BENCHMARK},
                {"expect", required_argument, NULL, O_EXPECT},
                {"state", required_argument, NULL, O_STATE},
                {"quiet", no_argument, NULL, O_QUIET},
                {"wide", no_argument, NULL, O_WIDE},
                {"publish", no_argument, NULL, O_PUBLISH},
                {"publish-api", required_argument, NULL, O_PUBLISH_API},
                {"publish-token-file", required_argument, NULL, O_PUBLISH_TOKEN},
                {"publish-ca", required_argument, NULL, O_PUBLISH_CA},
                {"allow-registries", required_argument, NULL, O_ALLOW_REGISTRIES},
                {"aws-account", required_argument, NULL, O_AWS_ACCOUNT},
                {"aws-region", required_argument, NULL, O_AWS_REGION},
                {"cluster-arn", required_argument, NULL, O_CLUSTER_ARN},
                {"probe", no_argument, NULL, O_PROBE},
                {"deadline", required_argument, NULL, O_DEADLINE},
                {0, 0, 0, 0},
        };
        struct option longopts[ARRAY_SIZE(all)];
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(all); i++)
                if (check_opts || i < 4 || !all[i].name)
                        longopts[n++] = all[i];
        o->fail_on = SEV_LOW;
        o->deadline = -1;
        optind = 1;
        opterr = 0;
        int c;
        int idx;
        while ((c = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
                /* A second --only or --root would silently replace the first. */
                if (c >= O_ROOT && c != O_ALLOW && c != O_VERBOSE && c != O_QUIET && c != O_WIDE && c != O_PROBE &&
                    (o->given & OPT_BIT(c))) {
                        fprintf(stderr, "nodeward: --%s given twice; give it once%s\n", longopts[idx].name,
                                c == O_ONLY || c == O_SKIP ? ", with a comma-separated list" : "");
                        return -EINVAL;
                }
                if (c >= O_ROOT)
                        o->given |= OPT_BIT(c);
                switch (c) {
                case 'h': fputs(help, stdout); exit(0);
                case O_ROOT: o->root = optarg; break;
                case O_PROC: o->proc = optarg; break;
                case O_ONLY: o->only = optarg; break;
                case O_SKIP: o->skip = optarg; break;
                case O_OUTPUT: o->output = optarg; break;
                case O_TEXTFILE: o->textfile = optarg; break;
                case O_POD_NETNS: o->pod_netns = optarg; break;
                case O_PROBE: o->probe = true; break;
                case O_NETNS: o->netns = optarg; break;
                case O_STATE: o->state = optarg; break;
                case O_PUBLISH: o->publish = true; break;
                case O_PUBLISH_API: o->publish_api = optarg; break;
                case O_PUBLISH_TOKEN: o->publish_token = optarg; break;
                case O_PUBLISH_CA: o->publish_ca = optarg; break;
                case O_AWS_ACCOUNT:
                case O_AWS_REGION:
                case O_CLUSTER_ARN:
                        if (parse_aws(c, optarg, &o->aws) < 0)
                                return -EINVAL;
                        break;
                case O_ALLOW_FILE: o->allow_file = optarg; break;
                case O_AUDIT_WATCH: o->audit_watch = optarg; break;
                case O_ALLOW_REGISTRIES: o->registries_file = optarg; break;
                case O_ALLOW: {
                        if (!allowlist_entry_valid(optarg) || o->n_allow >= MAX_ALLOW_LISTENERS) {
                                fprintf(stderr,
                                        "nodeward: --allow-listener: expected PROC:PORT (e.g. nginx:8080), "
                                        "got \"%s\"\n",
                                        optarg);
                                return -EINVAL;
                        }
                        o->allow[o->n_allow++] = optarg;
                        break;
                }
                case O_VERBOSE: o->verbose = true; break;
                case O_QUIET: o->quiet = true; break;
                case O_WIDE: o->wide = true; break;
                case O_BENCHMARK:
                        if (cli_parse_benchmark(optarg, &o->benchmark) < 0)
                                return -EINVAL;
                        break;
                case O_EXPECT:
                        if (expect_parse(optarg, &o->expect) < 0) {
                                fprintf(stderr, "nodeward: --expect: unknown component \"%s\" (kubelet)\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case O_OBSERVE:
                case O_INTERVAL: {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end || v < 1 || v > 86400) {
                                fprintf(stderr, "nodeward: --%s: \"%s\" is not a number of seconds (1-86400)\n",
                                        c == O_OBSERVE ? "observe" : "interval", optarg);
                                return -EINVAL;
                        }
                        *(c == O_OBSERVE ? &o->observe : &o->interval) = (int)v;
                        break;
                }
                case O_DEADLINE: {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end || v < 0 || v > 86400) {
                                fprintf(stderr,
                                        "nodeward: --deadline: \"%s\" is not a number of seconds "
                                        "(0-86400, 0: none)\n",
                                        optarg);
                                return -EINVAL;
                        }
                        o->deadline = (int)v;
                        break;
                }
                case O_FORMAT:
                        if (parse_format(optarg, check_opts, &o->format) < 0)
                                return -EINVAL;
                        break;
                case O_FAIL_ON:
                        if (severity_parse(optarg, &o->fail_on) < 0) {
                                fprintf(stderr,
                                        "nodeward: --fail-on: unknown severity \"%s\" "
                                        "(info, low, medium, high, critical)\n",
                                        optarg);
                                return -EINVAL;
                        }
                        break;
                case ':': fprintf(stderr, "nodeward: %s needs an argument\n", argv[optind - 1]); return -EINVAL;
                default:
                        fprintf(stderr, "nodeward: unknown option \"%s\"; see --help\n", argv[optind - 1]);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "nodeward: unexpected argument \"%s\"; see --help\n", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

static void print_json(FILE *out, cJSON *j)
{
        char *s = cJSON_Print(j);
        fprintf(out, "%s\n", s);
        free(s);
        cJSON_Delete(j);
}

/* Columns for the text report: $COLUMNS, else the terminal's, else 100; 0 (no limit) with --wide. */
static unsigned text_width(FILE *out, bool wide)
{
        if (wide)
                return 0;
        const char *env = getenv("COLUMNS");
        char *end;
        long v = env ? strtol(env, &end, 10) : 0;
        if (env && *env && !*end && v >= 20 && v <= 10000)
                return (unsigned)v;
        struct winsize ws;
        if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
                return ws.ws_col;
        return 100;
}

/* Every format renders the same run; only the exit code is shared policy. */
static void render_report(FILE *out, const struct opts *o, const struct run *run, const struct report_meta *meta,
                          int rc)
{
        switch (o->format) {
        case FMT_JSON: print_json(out, report_json(run, meta)); break;
        case FMT_SARIF: print_json(out, report_sarif(run, meta, rc)); break;
        case FMT_PROMETHEUS: report_prometheus(out, run, meta); break;
        case FMT_OPENREPORTS:
        case FMT_POLICYREPORT:
                print_json(out, report_openreports_build(run, meta,
                                                         o->format == FMT_OPENREPORTS ? REPORT_API_OPENREPORTS
                                                                                      : REPORT_API_POLICYREPORT));
                break;
        case FMT_ASFF: {
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
                print_json(out, report_asff(run, meta, &id));
                break;
        }
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
                                      .width = text_width(out, o->wide),
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

/* Give up every privilege, and say so when that fails (or @earlier, an earlier
 * drop, did): the run must not go on holding what README says it gave up. */
static int drop_or_say(const char *earlier)
{
        char *err = NULL;
        int r = privs_drop_all(&err);
        if (r < 0 || earlier)
                fprintf(stderr, "nodeward: error: could not drop capabilities: %s\n", earlier ? earlier : err);
        free(err);
        return earlier ? -EPERM : r;
}

/* Select the checks @o asks for; a selection of nothing is a usage error, since a
 * run of no checks exits 0 and reads as a clean node. */
static int select_checks(const struct opts *o, bool **ret_selected)
{
        bool *selected = NULL;
        char *err = NULL;
        if (engine_select(o->only, o->skip, &selected, &err) < 0) {
                fprintf(stderr, "nodeward: %s\n", err);
                free(err);
                return -EINVAL;
        }
        for (size_t i = 0; i < check_catalog_len; i++)
                if (selected[i]) {
                        *ret_selected = selected;
                        return 0;
                }
        free(selected);
        fprintf(stderr,
                "nodeward: no check selected:%s%s%s%s leaves nothing to run\n"
                "hint: %s ids or areas from 'nodeward list'\n",
                o->only ? " --only " : "", o->only ? o->only : "", o->skip ? " --skip " : "", o->skip ? o->skip : "",
                o->skip ? "take some out of --skip, or pick" : "give --only");
        return -EINVAL;
}

/* The operator's approvals, built once from the options: --allow-listener entries,
 * then --allow-listeners-file's, and --allow-registries FILE (not given: NULL; an
 * empty file approves nothing). A bad file is said on stderr. */
static int policy_from_options(const struct opts *o, struct policy *ret)
{
        struct policy p = {.allow_listeners = xcalloc(o->n_allow + 1, sizeof(char *)), .n_allow_listeners = o->n_allow};
        for (size_t i = 0; i < o->n_allow; i++)
                p.allow_listeners[i] = xstrdup(o->allow[i]);
        char *err = NULL;
        const char *what = "--allow-listeners-file";
        int r = o->allow_file ? allowlist_load_file(o->allow_file, &p.allow_listeners, &p.n_allow_listeners, &err) : 0;
        if (r == 0 && o->registries_file) {
                what = "--allow-registries";
                p.allow_registries = xcalloc(1, sizeof(char *));
                r = containerd_allowlist_load(o->registries_file, &p.allow_registries, &p.n_allow_registries, &err);
        }
        if (r < 0) {
                fprintf(stderr, "nodeward: %s: %s\n", what, err);
                free(err);
                policy_free(&p);
                return r;
        }
        *ret = p;
        return 0;
}

/* What check and watch both prepare from the options before anything is collected. */
struct run_prep {
        bool *selected; /* from engine_select() */
        struct policy policy;
        char **audit_watch; /* --audit-watch FILE's paths; NULL: the default set */
        size_t n_audit_watch;
        /* Root, proc, namespaces, the audit watch list, --probe, --verbose: the
         * caller adds what it collects (needs) and how long it may take. */
        struct collect_opts collect;
};

static void run_prep_free(struct run_prep *p)
{
        free(p->selected);
        policy_free(&p->policy);
        if (p->audit_watch)
                strv_free(p->audit_watch, p->n_audit_watch);
        memset(p, 0, sizeof(*p));
}

/* The selection, the policy and the collect options, one way for both commands;
 * what is wrong with the options is said on stderr. */
static int run_prep_from_options(const struct opts *o, struct run_prep *ret)
{
        struct run_prep p = {0};
        if (select_checks(o, &p.selected) < 0)
                return -EINVAL;
        int r = policy_from_options(o, &p.policy);
        char *err = NULL;
        if (r == 0 && o->audit_watch &&
            (r = audit_watch_load_file(o->audit_watch, &p.audit_watch, &p.n_audit_watch, &err)) < 0) {
                fprintf(stderr, "nodeward: --audit-watch: %s\n", err);
                free(err);
        }
        if (r < 0) {
                run_prep_free(&p);
                return r;
        }
        p.collect = (struct collect_opts){.root = o->root,
                                          .proc = o->proc,
                                          .netns = o->netns,
                                          .pod_netns = o->pod_netns,
                                          .audit_watch = p.audit_watch,
                                          .n_audit_watch = p.n_audit_watch,
                                          .audit_watch_from = o->audit_watch,
                                          .probe = o->probe,
                                          .verbose = o->verbose};
        *ret = p;
        return 0;
}

/* --aws-account, --aws-region and --cluster-arn shape ASFF only; their environment
 * variables fill in what the flags do not give, and are checked as the flags are. */
static int aws_options(struct opts *o)
{
        const unsigned long aws = OPT_BIT(O_AWS_ACCOUNT) | OPT_BIT(O_AWS_REGION) | OPT_BIT(O_CLUSTER_ARN);
        if ((o->given & aws) && o->format != FMT_ASFF) {
                fprintf(stderr, "nodeward: check: --aws-account, --aws-region and --cluster-arn apply to "
                                "--format asff only\n");
                return -EINVAL;
        }
        if (o->format != FMT_ASFF)
                return 0;
        static const struct {
                const char *env;
                int opt;
        } envs[] = {
                {"NODEWARD_AWS_ACCOUNT", O_AWS_ACCOUNT},
                {"NODEWARD_AWS_REGION", O_AWS_REGION},
                {"NODEWARD_CLUSTER_ARN", O_CLUSTER_ARN},
        };
        for (size_t i = 0; i < ARRAY_SIZE(envs); i++) {
                const char *v = getenv(envs[i].env);
                if (!v || !*v || (o->given & OPT_BIT(envs[i].opt)))
                        continue;
                if (parse_aws(envs[i].opt, v, &o->aws) < 0) {
                        fprintf(stderr, "nodeward: (from %s)\n", envs[i].env);
                        return -EINVAL;
                }
        }
        return 0;
}

static int do_check(int argc, char **argv)
{
        struct opts o = {0};
        if (parse_common(argc, argv, &o, true, check_help) < 0)
                return EXIT_USAGE;
        if ((o.quiet || o.wide) && o.format != FMT_TEXT) {
                fprintf(stderr, "nodeward: check: --%s shapes the text report only, not --format %s\n",
                        o.quiet ? "quiet" : "wide", format_names[o.format]);
                return EXIT_USAGE;
        }
        if (o.state || o.interval || (o.given & PUBLISH_BITS)) {
                fprintf(stderr, "nodeward: check: --%s applies to watch only (check runs once)\n",
                        o.state      ? "state"
                        : o.interval ? "interval"
                                     : "publish");
                return EXIT_USAGE;
        }
        if (aws_options(&o) < 0)
                return EXIT_USAGE;
        struct run_prep prep;
        if (run_prep_from_options(&o, &prep) < 0)
                return EXIT_USAGE;
        const bool *selected = prep.selected;
        char *err = NULL;
        FILE *out = stdout;
        struct textfile tf = {0};
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct report_meta meta;
        report_meta_start(&meta);
        /* Choosing the benchmark for the node reads how its kubelet runs. */
        unsigned needs = engine_needs(selected) | expect_needs(o.expect) | (o.benchmark ? 0 : FACT_KUBELET);
        /* ASFF names the account, region and instance the metadata service knows. */
        if (o.format == FMT_ASFF)
                needs |= FACT_IMDS;
        struct collect_opts co = prep.collect;
        co.needs = needs;
        co.observe_seconds = o.observe;
        co.deadline_ms = (unsigned)(o.deadline < 0 ? CHECK_DEADLINE_S : o.deadline) * 1000u;
        struct facts f;
        int cr = facts_collect(&co, &f, &err);
        if (cr < 0) {
                fprintf(stderr, "nodeward: %s\n", err);
                free(err);
                run_prep_free(&prep);
                textfile_abort(&tf);
                if (out != stdout)
                        fclose(out);
                return EXIT_USAGE;
        }
        if (f.unfinished)
                fprintf(stderr, "nodeward: error: %s: the checks that need it or a later collector are errors\n",
                        f.deadline_error);
        /* Everything privileged is done: evaluating and rendering need nothing. The
         * outputs are opened only now, holding nothing a planted path could use, and
         * then the sandbox leaves the rest of the run its outputs and nothing else. */
        bool dropped = drop_or_say(f.privs_error) == 0;
        if (open_outputs(&o, &out, &tf) < 0) {
                run_prep_free(&prep);
                facts_free(&f);
                return EXIT_USAGE;
        }
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
        char *unmet = expect_unmet(o.expect, &f);
        if (unmet)
                fprintf(stderr, "nodeward: error: %s\n", unmet);
        free(unmet);
        const char *why = "--benchmark";
        const struct benchmark *bench = o.benchmark ? o.benchmark : benchmark_for_node(&f, &why);
        struct run run;
        engine_run_benchmark(&f, &prep.policy, selected, bench, why, &run);
        int rc = expect_apply(o.expect, &f, &run, o.fail_on);
        report_meta_finish(&meta, &t0);
        /* README promises a run that holds nothing once the facts are in. */
        if (!dropped)
                rc = EXIT_USAGE;
        render_report(out, &o, &run, &meta, rc);
        if (tf.f) {
                report_prometheus(tf.f, &run, &meta);
                int tr = textfile_commit(&tf);
                if (tr < 0) {
                        fprintf(stderr, "nodeward: --textfile %s: %s\n", o.textfile, strerror(-tr));
                        rc = EXIT_USAGE;
                }
        }
        if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
                fprintf(stderr, "nodeward: writing the report: %s\n", strerror(errno));
                rc = EXIT_USAGE;
        }
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

static int do_watch(int argc, char **argv)
{
        struct opts o = {0};
        if (parse_common(argc, argv, &o, true, watch_help) < 0)
                return EXIT_USAGE;
        if (o.aws.account || o.aws.region || o.aws.cluster_arn) {
                fprintf(stderr, "nodeward: watch: --aws-account, --aws-region and --cluster-arn apply to "
                                "check --format asff only\n");
                return EXIT_USAGE;
        }
        if (o.observe || o.output || o.format != FMT_TEXT || o.quiet || o.wide || o.deadline >= 0) {
                fprintf(stderr, "nodeward: watch: --observe, --output, --format, --quiet, --wide and --deadline do "
                                "not apply (it observes continuously and prints JSON lines)\n");
                return EXIT_USAGE;
        }
        if ((o.given & PUBLISH_BITS) && !o.publish) {
                fprintf(stderr, "nodeward: watch: --publish-api, --publish-token-file and --publish-ca "
                                "go with --publish\n");
                return EXIT_USAGE;
        }
        if (o.given & OPT_BIT(O_FAIL_ON)) {
                fprintf(stderr, "nodeward: watch: --fail-on applies to check only "
                                "(watch reports every result and keeps running)\n");
                return EXIT_USAGE;
        }
        struct run_prep prep;
        if (run_prep_from_options(&o, &prep) < 0)
                return EXIT_USAGE;
        struct watch_opts wo = {.collect = prep.collect,
                                .policy = &prep.policy,
                                .selected = prep.selected,
                                .interval = o.interval ? o.interval : 60,
                                .textfile = o.textfile,
                                .state = o.state,
                                .out = stdout,
                                .benchmark = o.benchmark,
                                .expect = o.expect};
        struct publish_opts po = {.api = o.publish_api, .token_file = o.publish_token, .ca_file = o.publish_ca};
        if (o.publish)
                wo.publish = &po;
        int rc = watch_run(&wo);
        run_prep_free(&prep);
        return rc;
}

/* Collect @needs for an explain command, then give up every privilege. */
static int collect_to_explain(const struct opts *o, unsigned needs, struct facts *f)
{
        struct collect_opts co = {.root = o->root, .proc = o->proc, .needs = needs, .sshd_by_pid_file = true};
        char *err = NULL;
        if (facts_collect(&co, f, &err) < 0) {
                fprintf(stderr, "nodeward: %s\n", err);
                free(err);
                return -EINVAL;
        }
        if (drop_or_say(NULL) < 0) {
                facts_free(f);
                return -EPERM;
        }
        return 0;
}

/* Every explain document and message leaves through here: redact_text() on the
 * whole text (sshd's keywords are its own, so names are not judged). */
static void put_redacted(FILE *out, const char *text)
{
        char *r = redact_text(text);
        fputs(r, out);
        free(r);
}

static int explain_sshd(const struct opts *o)
{
        struct facts f;
        if (collect_to_explain(o, FACT_SSHD, &f) < 0)
                return EXIT_USAGE;
        const struct sshd_config *c = &f.sshd.cfg;
        int rc = 0;
        for (size_t i = 0; i < c->n_warnings; i++) {
                put_redacted(stderr, c->warnings[i]);
                fputc('\n', stderr);
        }
        if (c->error) {
                put_redacted(stderr, c->error);
                fputc('\n', stderr);
                rc = EXIT_USAGE;
        } else if (!c->found) {
                fprintf(stderr, "nodeward: %s: no such file under %s\n",
                        c->main_path ? c->main_path : "/etc/ssh/sshd_config", f.root_path);
                rc = EXIT_USAGE;
        } else {
                char *text = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&text, &len);
                if (!m) {
                        perror("nodeward: open_memstream");
                        rc = EXIT_USAGE;
                } else {
                        sshd_config_dump(c, m);
                        fclose(m);
                        put_redacted(stdout, text);
                        free(text);
                }
        }
        facts_free(&f);
        return rc;
}

static int explain_containerd(const struct opts *o)
{
        struct facts f;
        if (collect_to_explain(o, FACT_CONTAINERD, &f) < 0)
                return EXIT_USAGE;
        cJSON *j = containerd_explain_json(&f.containerd);
        redact_json(NULL, j);
        char *s = cJSON_Print(j);
        printf("%s\n", s);
        free(s);
        cJSON_Delete(j);
        int rc = 0;
        if (f.containerd.error) {
                fputs("nodeward: ", stderr);
                put_redacted(stderr, f.containerd.error);
                fputc('\n', stderr);
                rc = EXIT_USAGE;
        }
        facts_free(&f);
        return rc;
}

static int do_explain(int argc, char **argv)
{
        if (argc < 2 || argv[1][0] == '-') {
                if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
                        fputs(explain_help, stdout);
                        return 0;
                }
                fputs(explain_help, stderr);
                return EXIT_USAGE;
        }
        const char *what = argv[1];
        struct opts o = {0};
        if (parse_common(argc - 1, argv + 1, &o, false, explain_help) < 0)
                return EXIT_USAGE;
        if (strcmp(what, "sshd") == 0)
                return explain_sshd(&o);
        if (strcmp(what, "containerd") == 0)
                return explain_containerd(&o);
        if (strcmp(what, "kubelet") != 0) {
                fprintf(stderr, "nodeward: explain: unknown subject \"%s\" (kubelet, sshd, containerd)\n", what);
                return EXIT_USAGE;
        }
        struct facts f;
        if (collect_to_explain(&o, FACT_KUBELET, &f) < 0)
                return EXIT_USAGE;
        cJSON *j = kubelet_explain_json(&f.kubelet);
        char *s = cJSON_Print(j);
        printf("%s\n", s);
        free(s);
        cJSON_Delete(j);
        int rc = 0;
        if (f.kubelet.load_error || f.kubelet.flag_error) {
                fprintf(stderr, "nodeward: %s\n", f.kubelet.load_error ? f.kubelet.load_error : f.kubelet.flag_error);
                rc = EXIT_USAGE;
        }
        facts_free(&f);
        return rc;
}

static int do_list(int argc, char **argv)
{
        return list_command(argc, argv, list_help);
}

static int do_sockets(int argc, char **argv)
{
        enum {
                SO_NETNS = 256,
                SO_PROC,
                SO_FORMAT,
                SO_NO_OWNERS,
                SO_VERBOSE
        };
        static const struct option lo[] = {{"netns", required_argument, NULL, SO_NETNS},
                                           {"no-owners", no_argument, NULL, SO_NO_OWNERS},
                                           {"proc", required_argument, NULL, SO_PROC},
                                           {"format", required_argument, NULL, SO_FORMAT},
                                           {"verbose", no_argument, NULL, SO_VERBOSE},
                                           {"help", no_argument, NULL, 'h'},
                                           {0, 0, 0, 0}};
        const char *netns = NULL, *procdir = "/proc";
        enum format fmt = FMT_TEXT;
        bool verbose = false;
        unsigned flags = SOCKETS_OWNERS | SOCKETS_ALL_OWNERS;
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
                switch (c) {
                case 'h': fputs(sockets_help, stdout); return 0;
                case SO_NETNS: netns = optarg; break;
                case SO_PROC: procdir = optarg; break;
                case SO_NO_OWNERS: flags = 0; break;
                case SO_VERBOSE: verbose = true; break;
                case SO_FORMAT:
                        if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                                fprintf(stderr, "nodeward: --format: unknown format \"%s\" (text or json)\n", optarg);
                                return EXIT_USAGE;
                        }
                        fmt = strcmp(optarg, "json") == 0 ? FMT_JSON : FMT_TEXT;
                        break;
                case ':': fprintf(stderr, "nodeward: %s needs an argument\n", argv[optind - 1]); return EXIT_USAGE;
                default:
                        fprintf(stderr, "nodeward: unknown option \"%s\"; see --help\n", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "nodeward: unexpected argument \"%s\"; see --help\n", argv[optind]);
                return EXIT_USAGE;
        }
        struct rootfs proc = {.fd = -1};
        int r = procfs_open_root(procdir, &proc);
        if (r < 0) {
                fprintf(stderr, "nodeward: --proc %s: %s\n", procdir, strerror(-r));
                return EXIT_USAGE;
        }
        struct sockets s;
        sockets_collect(netns, &proc, flags, &s);
        rootfs_close(&proc);
        int rc = drop_or_say(NULL) < 0 ? EXIT_USAGE : 0;
        if (s.error) {
                fprintf(stderr, "nodeward: %s\n", s.error);
                rc = EXIT_USAGE;
        } else {
                if (fmt == FMT_JSON)
                        sockets_print_json(stdout, &s);
                else
                        sockets_print_text(stdout, &s);
                if (verbose && s.owners_via)
                        fprintf(stderr, "nodeward: owners found by %s\n", s.owners_via);
                if (s.owners_error)
                        fprintf(stderr, "nodeward: warning: owners: %s\n", s.owners_error);
                if (s.owners_unreadable)
                        fprintf(stderr, "nodeward: warning: %u processes could not be inspected for owners\n",
                                s.owners_unreadable);
        }
        if (fflush(stdout) != 0)
                rc = EXIT_USAGE;
        sockets_free(&s);
        return rc;
}

static int do_ready(int argc, char **argv)
{
        static const struct option lo[] = {
                {"state", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
        const char *state = NULL;
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
                if (c == 'h') {
                        fputs(ready_help, stdout);
                        return 0;
                }
                if (c != 's') {
                        fputs(ready_help, stderr);
                        return EXIT_USAGE;
                }
                state = optarg;
        }
        if (!state || optind < argc) {
                fputs(ready_help, stderr);
                return EXIT_USAGE;
        }
        /* An exec probe inherits the container's capabilities; reading one file needs none. */
        if (drop_or_say(NULL) < 0)
                return EXIT_USAGE;
        char *why = NULL;
        int ready = watch_state_check(state, time(NULL), &why);
        printf("%s: %s\n", ready ? "ready" : "not ready", why);
        free(why);
        return ready ? 0 : 1;
}

static int do_fix(int argc, char **argv)
{
        enum {
                F_ROOT = 1,
                F_PROC,
                F_OUT,
                F_DRY
        };
        static const struct option longopts[] = {
                {"root", required_argument, NULL, F_ROOT}, {"proc", required_argument, NULL, F_PROC},
                {"out", required_argument, NULL, F_OUT},   {"dry-run", no_argument, NULL, F_DRY},
                {"help", no_argument, NULL, 'h'},          {0, 0, 0, 0}};
        struct fix_opts fo = {0};
        bool dry = false;
        const char **slot[] = {NULL, &fo.root, &fo.proc, &fo.out_dir};
        int c;
        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'h': fputs(fix_help, stdout); return 0;
                case F_DRY: dry = true; break;
                case F_ROOT:
                case F_PROC:
                case F_OUT:
                        if (*slot[c]) {
                                fprintf(stderr, "nodeward: fix: %s given twice\n", argv[optind - 1]);
                                return EXIT_USAGE;
                        }
                        *slot[c] = optarg;
                        break;
                default:
                        fprintf(stderr, "nodeward: fix: unknown option \"%s\"; see --help\n", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "nodeward: fix: unexpected argument \"%s\"; see --help\n", argv[optind]);
                return EXIT_USAGE;
        }
        if (!dry) {
                fprintf(stderr, "nodeward: fix: only --dry-run exists: nodeward never writes to the node\n"
                                "hint: nodeward fix --dry-run [--out DIR], then apply the files it prints\n");
                return EXIT_USAGE;
        }
        return fix_dry_run(&fo, stdout);
}

static int do_version(int argc, char **argv)
{
        if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
                fputs(version_help, stdout);
                return 0;
        }
        if (argc > 1) {
                fprintf(stderr, "nodeward: version: unexpected argument \"%s\"\n", argv[1]);
                return EXIT_USAGE;
        }
        printf("nodeward %s\n", NODEWARD_VERSION);
        return 0;
}

static int do_help(int argc, char **argv);

static const struct command {
        const char *name;
        int (*fn)(int argc, char **argv);
        const char *summary;
} commands[] = {
        {"check", do_check, "inspect this node and report every check with evidence"},
        {"watch", do_watch, "observe continuously and re-run the checks, as JSON lines"},
        {"explain", do_explain, "show how a component's effective configuration was resolved"},
        {"sockets", do_sockets, "list listening sockets with their processes (like ss -ltnup)"},
        {"list", do_list, "print the check catalog"},
        {"fix", do_fix, "write the drop-ins that fix failed kubelet and sshd checks (--dry-run)"},
        {"ready", do_ready, "readiness probe for a running watch --state FILE"},
        {"version", do_version, "print the version"},
        {"help", do_help, "show help for nodeward or a command"},
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: nodeward COMMAND [OPTIONS]\n"
                   "Node-level kubelet and host hardening checker for Kubernetes.\n\nCommands:\n");
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nRun 'nodeward COMMAND --help' for a command's options.\n"
                   "Exit status: 0 OK, 1 a check failed, 2 could not evaluate or usage error.\n");
}

static int do_help(int argc, char **argv)
{
        if (argc > 2) {
                fprintf(stderr, "nodeward: help takes one topic, got \"%s\" too\n", argv[2]);
                return EXIT_USAGE;
        }
        if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                if (strcmp(argv[1], commands[i].name) == 0) {
                        char *args[] = {argv[1], (char *)"--help", NULL};
                        return commands[i].fn(2, args);
                }
        fprintf(stderr, "nodeward: help: no topic \"%s\"; the topics are:", argv[1]);
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                fprintf(stderr, " %s", commands[i].name);
        fputc('\n', stderr);
        return EXIT_USAGE;
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0)
                return do_version(argc - 1, argv + 1);
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "nodeward: unknown command \"%s\"\n\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
}
