/* cli: what the command files share: the options they parse one way, the run
 * preparation of check and watch, and giving up privileges. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "collect/facts.h"
#include "policy/policy.h"
#include "render/report_fleet.h"

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
extern const char *const cli_format_names[];

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

/* Parse @argv into @o: every option of check and watch with @check_opts, else
 * only --root, --proc, --format (text or json) and --help. --help prints @help
 * and exits 0; what is wrong is said on stderr (-EINVAL). */
int cli_parse_options(int argc, char **argv, struct opts *o, bool check_opts, const char *help);

/* --aws-account, --aws-region and --cluster-arn with their environment variables
 * (ASFF only); -EINVAL, said on stderr, when they are misplaced or malformed. */
int cli_aws_options(struct opts *o);

/* Give up every privilege, and say so when that fails (or @earlier, an earlier
 * drop, did): the run must not go on holding what README says it gave up. */
int cli_drop_privileges(const char *earlier);

/* Columns for a text report: $COLUMNS, else the terminal's, else 100; 0 (no limit) with --wide. */
unsigned cli_text_width(FILE *out, bool wide);

/* Print @j and free it. */
void cli_print_json(FILE *out, cJSON *j);

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

/* The selection, the policy and the collect options, one way for both commands;
 * what is wrong with the options is said on stderr. */
int run_prep_from_options(const struct opts *o, struct run_prep *ret);
void run_prep_free(struct run_prep *p);

/* The commands: each takes its own argv (argv[0] the command's name) and returns
 * the exit status. */
int cmd_check(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_sockets(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_ready(int argc, char **argv);
int cmd_version(int argc, char **argv);
