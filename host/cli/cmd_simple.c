/* list, fix, ready and version: the commands that parse a few options and hand
 * over to one function. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/fix.h"
#include "cli/watch.h"
#include "render/list.h"
#include "base/version.h"

static const char list_help[] = "Usage: nodeward list [--benchmark ID] [--format text|json]\n"
                                "       nodeward list --benchmarks\n"
                                "Print the check catalog: id, severity, the check's item in the benchmark\n"
                                "(default: the newest CIS Amazon EKS Benchmark) with its profile level and\n"
                                "whether it is automated or manual, title and references. A check the\n"
                                "benchmark has no item for says so. --benchmarks lists the benchmark ids.\n";

int cmd_list(int argc, char **argv)
{
        return list_command(argc, argv, list_help);
}

static const char fix_help[] = "Usage: nodeward fix --dry-run [--root DIR] [--proc DIR] [--out DIR] [--wide]\n"
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
                               "  --wide              full evidence in the proof (default: shortened to $COLUMNS,\n"
                               "                      the terminal's width, or 100 columns)\n"
                               "  -h, --help          this help\n"
                               "\n"
                               "A kubelet drop-in is named to sort last in the --config-dir the kubelet uses; a\n"
                               "value set by a flag cannot be overridden by a file, so the flag to remove is named.\n"
                               "An sshd file is named to sort first in the directory sshd_config includes (sshd keeps\n"
                               "the first value), with a Match block where an existing one weakens a value.\n"
                               "\n"
                               "Every other failed kubelet or sshd check is listed with its remediation.\n"
                               "\n"
                               "Exit status: 0 every planned check passes on the copy and nothing else fails;\n"
                               "1 some failure needs a change no drop-in can make, or a planned check still\n"
                               "fails or cannot be evaluated; 2 usage error or the root cannot be read.\n";

int cmd_fix(int argc, char **argv)
{
        enum {
                F_ROOT = 1,
                F_PROC,
                F_OUT,
                F_DRY,
                F_WIDE
        };
        static const struct option longopts[] = {{"root", required_argument, NULL, F_ROOT},
                                                 {"proc", required_argument, NULL, F_PROC},
                                                 {"out", required_argument, NULL, F_OUT},
                                                 {"dry-run", no_argument, NULL, F_DRY},
                                                 {"wide", no_argument, NULL, F_WIDE},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {0, 0, 0, 0}};
        struct fix_opts fo = {0};
        bool dry = false, wide = false;
        const char **slot[] = {NULL, &fo.root, &fo.proc, &fo.out_dir};
        int c;
        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'h': fputs(fix_help, stdout); return 0;
                case F_DRY: dry = true; break;
                case F_WIDE: wide = true; break;
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
        fo.width = cli_text_width(stdout, wide);
        return fix_dry_run(&fo, stdout);
}

static const char ready_help[] = "Usage: nodeward ready --state FILE\n"
                                 "Readiness of a running `nodeward watch --state FILE`: ready when its eBPF probe\n"
                                 "is attached (or no selected check needs it) and the watch rewrote FILE within\n"
                                 "two intervals and a minute. Prints one line saying why.\n"
                                 "Exit status: 0 ready; 1 not ready (probe not attached, watch gone or stuck,\n"
                                 "FILE missing); 2 usage error.\n";

int cmd_ready(int argc, char **argv)
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
        if (cli_drop_privileges(NULL) < 0)
                return EXIT_USAGE;
        char *why = NULL;
        int ready = watch_state_check(state, time(NULL), &why);
        printf("%s: %s\n", ready ? "ready" : "not ready", why);
        free(why);
        return ready ? 0 : 1;
}

static const char version_help[] = "Usage: nodeward version\nPrint the version.\n";

int cmd_version(int argc, char **argv)
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
