/* main: the nodeward command line: one table of commands (each in its cli/cmd_*.c
 * with its help beside it), dispatched in one place. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "base/util.h"

static int do_help(int argc, char **argv);

static const struct command {
        const char *name;
        int (*fn)(int argc, char **argv);
        const char *summary;
} commands[] = {
        {"check", cmd_check, "inspect this node and report every check with evidence"},
        {"watch", cmd_watch, "observe continuously and re-run the checks, as JSON lines"},
        {"explain", cmd_explain, "show how a component's effective configuration was resolved"},
        {"sockets", cmd_sockets, "list listening sockets with their processes (like ss -ltnup)"},
        {"list", cmd_list, "print the check catalog"},
        {"fix", cmd_fix, "write the drop-ins that fix failed kubelet and sshd checks (--dry-run)"},
        {"ready", cmd_ready, "readiness probe for a running watch --state FILE"},
        {"version", cmd_version, "print the version"},
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
                return cmd_version(argc - 1, argv + 1);
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "nodeward: unknown command \"%s\"\n\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
}
