/* prep: what check and watch prepare before collecting (the selection, the
 * operator's policy, the collect options), and giving up privileges. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine.h"
#include "policy/allowlist.h"
#include "collect/node/hostsec.h"
#include "base/privs.h"
#include "base/util.h"

int cli_drop_privileges(const char *earlier)
{
        char *err = NULL;
        int r = privs_drop_all(&err);
        if (r < 0 || earlier)
                fprintf(stderr, "nodeward: error: could not drop capabilities: %s\n", earlier ? earlier : err);
        free(err);
        return earlier ? -EPERM : r;
}

void cli_print_json(FILE *out, cJSON *j)
{
        char *s = cJSON_Print(j);
        fprintf(out, "%s\n", s);
        free(s);
        cJSON_Delete(j);
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

void run_prep_free(struct run_prep *p)
{
        free(p->selected);
        policy_free(&p->policy);
        if (p->audit_watch)
                strv_free(p->audit_watch, p->n_audit_watch);
        memset(p, 0, sizeof(*p));
}

int run_prep_from_options(const struct opts *o, struct run_prep *ret)
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
