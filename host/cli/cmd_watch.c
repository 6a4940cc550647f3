/* watch's command line: the options it takes and refuses, then watch_run(). */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/watch.h"
#include "base/kubeapi.h"
#include "render/publish.h"

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

int cmd_watch(int argc, char **argv)
{
        struct opts o = {0};
        if (cli_parse_options(argc, argv, &o, true, watch_help) < 0)
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
