/* options: the options of check and watch (and --root, --proc, --format of the
 * others), parsed one way: a repeated option is refused, a bad value named. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "expect.h"
#include "policy/allowlist.h"
#include "render/list.h"
#include "base/util.h"

const char *const cli_format_names[] = {"text",        "json",         "sarif", "prometheus", "npd",
                                        "openreports", "policyreport", "asff",  "ocsf",       "junit"};

/* Commands other than check render only text and JSON. */
static int parse_format(const char *s, bool all, enum format *ret)
{
        size_t n = all ? ARRAY_SIZE(cli_format_names) : 2;
        for (size_t i = 0; i < n; i++)
                if (strcmp(s, cli_format_names[i]) == 0) {
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

/* The options that only store their argument, and the switches. */
static const struct {
        int opt;
        size_t off;
} string_options[] =
        {
                {O_ROOT, offsetof(struct opts, root)},
                {O_PROC, offsetof(struct opts, proc)},
                {O_ONLY, offsetof(struct opts, only)},
                {O_SKIP, offsetof(struct opts, skip)},
                {O_OUTPUT, offsetof(struct opts, output)},
                {O_TEXTFILE, offsetof(struct opts, textfile)},
                {O_POD_NETNS, offsetof(struct opts, pod_netns)},
                {O_NETNS, offsetof(struct opts, netns)},
                {O_STATE, offsetof(struct opts, state)},
                {O_PUBLISH_API, offsetof(struct opts, publish_api)},
                {O_PUBLISH_TOKEN, offsetof(struct opts, publish_token)},
                {O_PUBLISH_CA, offsetof(struct opts, publish_ca)},
                {O_ALLOW_FILE, offsetof(struct opts, allow_file)},
                {O_AUDIT_WATCH, offsetof(struct opts, audit_watch)},
                {O_ALLOW_REGISTRIES, offsetof(struct opts, registries_file)},
},
  switch_options[] = {
          {O_PROBE, offsetof(struct opts, probe)},     {O_PUBLISH, offsetof(struct opts, publish)},
          {O_VERBOSE, offsetof(struct opts, verbose)}, {O_QUIET, offsetof(struct opts, quiet)},
          {O_WIDE, offsetof(struct opts, wide)},
};

/* A number of seconds from @lo to a day (--observe, --interval, --deadline). */
static int parse_seconds(const char *name, const char *v, long lo, int *ret)
{
        char *end;
        long n = strtol(v, &end, 10);
        if (*v == '\0' || *end || n < lo || n > 86400) {
                fprintf(stderr, "nodeward: --%s: \"%s\" is not a number of seconds (%ld-86400%s)\n", name, v, lo,
                        lo == 0 ? ", 0: none" : "");
                return -EINVAL;
        }
        *ret = (int)n;
        return 0;
}

/* One option @c with its argument @arg (NULL for a switch) into @o. */
static int apply_option(struct opts *o, int c, const char *arg, bool check_opts)
{
        for (size_t i = 0; i < ARRAY_SIZE(string_options); i++)
                if (string_options[i].opt == c) {
                        *(const char **)((char *)o + string_options[i].off) = arg;
                        return 0;
                }
        for (size_t i = 0; i < ARRAY_SIZE(switch_options); i++)
                if (switch_options[i].opt == c) {
                        *(bool *)((char *)o + switch_options[i].off) = true;
                        return 0;
                }
        switch (c) {
        case O_AWS_ACCOUNT:
        case O_AWS_REGION:
        case O_CLUSTER_ARN: return parse_aws(c, arg, &o->aws);
        case O_ALLOW:
                if (!allowlist_entry_valid(arg) || o->n_allow >= MAX_ALLOW_LISTENERS) {
                        fprintf(stderr,
                                "nodeward: --allow-listener: expected PROC:PORT (e.g. nginx:8080), got \"%s\"\n", arg);
                        return -EINVAL;
                }
                o->allow[o->n_allow++] = arg;
                return 0;
        case O_BENCHMARK: return cli_parse_benchmark(arg, &o->benchmark);
        case O_EXPECT:
                if (expect_parse(arg, &o->expect) < 0) {
                        fprintf(stderr, "nodeward: --expect: unknown component \"%s\" (kubelet)\n", arg);
                        return -EINVAL;
                }
                return 0;
        case O_OBSERVE: return parse_seconds("observe", arg, 1, &o->observe);
        case O_INTERVAL: return parse_seconds("interval", arg, 1, &o->interval);
        case O_DEADLINE: return parse_seconds("deadline", arg, 0, &o->deadline);
        case O_FORMAT: return parse_format(arg, check_opts, &o->format);
        case O_FAIL_ON:
                if (severity_parse(arg, &o->fail_on) < 0) {
                        fprintf(stderr,
                                "nodeward: --fail-on: unknown severity \"%s\" (info, low, medium, high, critical)\n",
                                arg);
                        return -EINVAL;
                }
                return 0;
        }
        return -EINVAL;
}

static const struct option all_options[] = {
        /* The first four are every command's; the rest check's and watch's. */
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

/* The options that may be given more than once (--allow-listener) or are switches. */
#define REPEATABLE (OPT_BIT(O_ALLOW) | OPT_BIT(O_VERBOSE) | OPT_BIT(O_QUIET) | OPT_BIT(O_WIDE) | OPT_BIT(O_PROBE))

int cli_parse_options(int argc, char **argv, struct opts *o, bool check_opts, const char *help)
{
        struct option longopts[ARRAY_SIZE(all_options)];
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(all_options); i++)
                if (check_opts || i < 4 || !all_options[i].name)
                        longopts[n++] = all_options[i];
        o->fail_on = SEV_LOW;
        o->deadline = -1;
        optind = 1;
        opterr = 0;
        int c, idx;
        while ((c = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
                if (c == 'h') {
                        fputs(help, stdout);
                        exit(0);
                }
                if (c == ':') {
                        fprintf(stderr, "nodeward: %s needs an argument\n", argv[optind - 1]);
                        return -EINVAL;
                }
                if (c < O_ROOT) {
                        fprintf(stderr, "nodeward: unknown option \"%s\"; see --help\n", argv[optind - 1]);
                        return -EINVAL;
                }
                /* A second --only or --root would silently replace the first. */
                if ((o->given & OPT_BIT(c)) && !(REPEATABLE & OPT_BIT(c))) {
                        fprintf(stderr, "nodeward: --%s given twice; give it once%s\n", longopts[idx].name,
                                c == O_ONLY || c == O_SKIP ? ", with a comma-separated list" : "");
                        return -EINVAL;
                }
                o->given |= OPT_BIT(c);
                if (apply_option(o, c, optarg, check_opts) < 0)
                        return -EINVAL;
        }
        if (optind < argc) {
                fprintf(stderr, "nodeward: unexpected argument \"%s\"; see --help\n", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

/* --aws-account, --aws-region and --cluster-arn shape ASFF only; their environment
 * variables fill in what the flags do not give, and are checked as the flags are. */
int cli_aws_options(struct opts *o)
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

/* Columns for the text report: $COLUMNS, else the terminal's, else 100; 0 (no limit) with --wide. */
unsigned cli_text_width(FILE *out, bool wide)
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
