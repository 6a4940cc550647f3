/* explain: a component's effective configuration as nodeward resolved it
 * (kubelet, sshd, containerd), redacted. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/redact.h"
#include "collect/node/containerd.h"

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

/* Collect @needs for an explain command, then give up every privilege. */
static int collect_to_explain(const struct opts *o, unsigned needs, struct facts *f)
{
        struct collect_opts co = {
                .root = o->root, .proc = o->proc, .needs = needs, .sshd_by_pid_file = true, .sshd_config_only = true};
        char *err = NULL;
        if (facts_collect(&co, f, &err) < 0) {
                fprintf(stderr, "nodeward: %s\n", err);
                free(err);
                return -EINVAL;
        }
        if (cli_drop_privileges(NULL) < 0) {
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

static int explain_kubelet(const struct opts *o)
{
        struct facts f;
        if (collect_to_explain(o, FACT_KUBELET, &f) < 0)
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

int cmd_explain(int argc, char **argv)
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
        if (cli_parse_options(argc - 1, argv + 1, &o, false, explain_help) < 0)
                return EXIT_USAGE;
        if (strcmp(what, "sshd") == 0)
                return explain_sshd(&o);
        if (strcmp(what, "containerd") == 0)
                return explain_containerd(&o);
        if (strcmp(what, "kubelet") != 0) {
                fprintf(stderr, "nodeward: explain: unknown subject \"%s\" (kubelet, sshd, containerd)\n", what);
                return EXIT_USAGE;
        }
        return explain_kubelet(&o);
}
