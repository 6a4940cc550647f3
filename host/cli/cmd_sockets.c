/* sockets: the listening sockets of a network namespace with their owners, as
 * `ss -ltnup` lists them. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "base/procfs.h"
#include "collect/net/sockets.h"

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

struct sockets_cmd {
        const char *netns, *procdir;
        enum format format;
        bool verbose;
        unsigned flags; /* SOCKETS_* */
};

static int sockets_options(int argc, char **argv, struct sockets_cmd *ret)
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
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
                switch (c) {
                case 'h': fputs(sockets_help, stdout); return 1;
                case SO_NETNS: ret->netns = optarg; break;
                case SO_PROC: ret->procdir = optarg; break;
                case SO_NO_OWNERS: ret->flags = 0; break;
                case SO_VERBOSE: ret->verbose = true; break;
                case SO_FORMAT:
                        if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                                fprintf(stderr, "nodeward: --format: unknown format \"%s\" (text or json)\n", optarg);
                                return -1;
                        }
                        ret->format = strcmp(optarg, "json") == 0 ? FMT_JSON : FMT_TEXT;
                        break;
                case ':': fprintf(stderr, "nodeward: %s needs an argument\n", argv[optind - 1]); return -1;
                default: fprintf(stderr, "nodeward: unknown option \"%s\"; see --help\n", argv[optind - 1]); return -1;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "nodeward: unexpected argument \"%s\"; see --help\n", argv[optind]);
                return -1;
        }
        return 0;
}

/* The listing on stdout; how the owners were found and what was missed on stderr. */
static void sockets_show(const struct sockets_cmd *sc, const struct sockets *s)
{
        if (sc->format == FMT_JSON)
                sockets_print_json(stdout, s);
        else
                sockets_print_text(stdout, s);
        if (sc->verbose && s->owners_via)
                fprintf(stderr, "nodeward: owners found by %s\n", s->owners_via);
        if (s->owners_error)
                fprintf(stderr, "nodeward: warning: owners: %s\n", s->owners_error);
        if (s->owners_unreadable)
                fprintf(stderr, "nodeward: warning: %u processes could not be inspected for owners\n",
                        s->owners_unreadable);
}

int cmd_sockets(int argc, char **argv)
{
        struct sockets_cmd sc = {.procdir = "/proc", .format = FMT_TEXT, .flags = SOCKETS_OWNERS | SOCKETS_ALL_OWNERS};
        int r = sockets_options(argc, argv, &sc);
        if (r != 0)
                return r > 0 ? 0 : EXIT_USAGE;
        struct rootfs proc = {.fd = -1};
        r = procfs_open_root(sc.procdir, &proc);
        if (r < 0) {
                fprintf(stderr, "nodeward: --proc %s: %s\n", sc.procdir, strerror(-r));
                return EXIT_USAGE;
        }
        struct sockets s;
        sockets_collect(sc.netns, &proc, sc.flags, &s);
        rootfs_close(&proc);
        int rc = cli_drop_privileges(NULL) < 0 ? EXIT_USAGE : 0;
        if (s.error) {
                fprintf(stderr, "nodeward: %s\n", s.error);
                rc = EXIT_USAGE;
        } else {
                sockets_show(&sc, &s);
        }
        if (fflush(stdout) != 0)
                rc = EXIT_USAGE;
        sockets_free(&s);
        return rc;
}
