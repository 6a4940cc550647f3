/* test_bottlerocket_readme: every nodeward cell of the README's table against `apiclient report cis-k8s` is what nodeward says. */
#include "../testutil.h"

#include <fcntl.h>

#include "base/util.h"

#define SECTION "### nodeward and `apiclient report cis-k8s`"
#define HEADER "| CIS K8s item |"

/* The table's columns: D, A and S, in this order. */
static const char *const roots[] = {"bottlerocket-node", "bottlerocket-admin", "bottlerocket-standalone"};
#define N_ROOTS ARRAY_SIZE(roots)

struct table_row {
        char checks[256];       /* the "nodeward check" cell: `id` or `prefix*`, one or more */
        char want[N_ROOTS][16]; /* pass, fail, ... per root */
        unsigned line;
};

static struct table_row rows[64];
static size_t n_rows;

/* Cell @n (0-based) of a table line, trimmed; false when the line has fewer cells. */
static bool cell(const char *line, unsigned n, char *out, size_t size)
{
        const char *p = line;
        for (unsigned i = 0; i <= n; i++) {
                p = strchr(p, '|');
                if (!p)
                        return false;
                p++;
        }
        const char *e = strchr(p, '|');
        if (!e)
                return false;
        while (p < e && *p == ' ')
                p++;
        while (e > p && e[-1] == ' ')
                e--;
        snprintf(out, size, "%.*s", (int)(e - p), p);
        return true;
}

/* "pass / **fail** / skip" or one word for all three roots; emphasis is dropped. */
static void parse_verdicts(struct table_row *r, const char *text)
{
        char buf[128];
        size_t n = 0;
        for (const char *p = text; *p && n + 1 < sizeof(buf); p++)
                if (*p != '*' && *p != ' ')
                        buf[n++] = *p;
        buf[n] = '\0';
        unsigned k = 0;
        for (char *save = NULL, *w = strtok_r(buf, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
                if (k == N_ROOTS)
                        fail_msg("README.md line %u: more than %zu verdicts in \"%s\"", r->line, N_ROOTS, text);
                snprintf(r->want[k++], sizeof(r->want[0]), "%s", w);
        }
        if (k == 1)
                for (unsigned i = 1; i < N_ROOTS; i++)
                        memcpy(r->want[i], r->want[0], sizeof(r->want[0]));
        else if (k != N_ROOTS)
                fail_msg("README.md line %u: \"%s\" is neither one verdict nor one per root", r->line, text);
}

static void read_comparison_table(void)
{
        char *text = tu_read_readme();
        bool in_section = false, in_table = false;
        unsigned lineno = 0;
        for (char *l = text, *next; l && *l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                if (str_startswith(l, "#")) {
                        in_section = str_startswith(l, SECTION);
                        continue;
                }
                if (in_section && str_startswith(l, HEADER)) {
                        in_table = true;
                        continue;
                }
                if (l[0] != '|')
                        in_table = false;
                if (!in_table || str_startswith(l, "|---"))
                        continue;
                assert_true(n_rows < ARRAY_SIZE(rows));
                struct table_row *r = &rows[n_rows++];
                char verdicts[128];
                r->line = lineno;
                if (!cell(l, 2, r->checks, sizeof(r->checks)) || !cell(l, 3, verdicts, sizeof(verdicts)))
                        fail_msg("README.md line %u: fewer than five cells", lineno);
                parse_verdicts(r, verdicts);
        }
        free(text);
        /* Guards the parser: a README whose table it no longer finds must not pass. */
        if (n_rows < 10)
                fail_msg("README.md: found %zu rows under \"%s\"", n_rows, SECTION);
}

/* Calls @fn for every `pattern` in a row's check cell. */
static void for_each_pattern(const struct table_row *r, void (*fn)(const struct table_row *, const char *, void *),
                             void *data)
{
        for (const char *p = r->checks; (p = strchr(p, '`'));) {
                const char *e = strchr(p + 1, '`');
                if (!e)
                        fail_msg("README.md line %u: unpaired backtick in %s", r->line, r->checks);
                char pat[96];
                snprintf(pat, sizeof(pat), "%.*s", (int)(e - p - 1), p + 1);
                fn(r, pat, data);
                p = e + 1;
        }
}

static bool matches(const char *pattern, const char *id)
{
        size_t n = strlen(pattern);
        if (n && pattern[n - 1] == '*')
                return strncmp(pattern, id, n - 1) == 0;
        return strcmp(pattern, id) == 0;
}

static void find_exact(const struct table_row *r, const char *pat, void *data)
{
        (void)r;
        struct {
                const char *id;
                bool found;
        } *q = data;
        if (strcmp(pat, q->id) == 0)
                q->found = true;
}

/* A check the table names by its own id is judged by that row, not by a wildcard row. */
static bool named_exactly(const char *id)
{
        struct {
                const char *id;
                bool found;
        } q = {id, false};
        for (size_t i = 0; i < n_rows; i++)
                for_each_pattern(&rows[i], find_exact, &q);
        return q.found;
}

struct verdict_scope {
        const cJSON *report;
        unsigned root;
        unsigned *failures;
};

static void assert_pattern(const struct table_row *r, const char *pat, void *data)
{
        const struct verdict_scope *s = data;
        const char *want = r->want[s->root];
        bool wildcard = pat[strlen(pat) - 1] == '*';
        unsigned seen = 0;
        const cJSON *res;
        cJSON_ArrayForEach(res, cJSON_GetObjectItem(s->report, "results"))
        {
                const char *id = cJSON_GetObjectItem(res, "id")->valuestring;
                if (!matches(pat, id) || (wildcard && named_exactly(id)))
                        continue;
                seen++;
                const char *st = cJSON_GetObjectItem(res, "status")->valuestring;
                if (strcmp(st, want) != 0) {
                        fprintf(stderr, "README.md line %u: %s on %s says %s, nodeward says %s: %s\n", r->line, id,
                                roots[s->root], want, st, cJSON_GetObjectItem(res, "evidence")->valuestring);
                        (*s->failures)++;
                }
        }
        if (!seen) {
                fprintf(stderr, "README.md line %u: %s names no check nodeward reports\n", r->line, pat);
                (*s->failures)++;
        }
}

/* The fixtures as Bottlerocket renders them (kubernetes-services.toml): kubelet config,
 * kubeconfig and client CA 0600, exec-start.conf 0644, as the table's heading says. */
static char *rendered_copy(const char *name)
{
        static const char *const private[] = {"etc/kubernetes/kubelet/config", "etc/kubernetes/kubelet/kubeconfig",
                                              "etc/kubernetes/pki/ca.crt"};
        char src[4096], *root = tu_mkdtemp(), p[4096];
        snprintf(src, sizeof(src), "%s/%s", tu_fixtures(), name);
        tu_copy_tree(src, root);
        for (size_t i = 0; i < ARRAY_SIZE(private); i++) {
                snprintf(p, sizeof(p), "%s/%s", root, private[i]);
                if (access(p, F_OK) == 0)
                        assert_int_equal(chmod(p, 0600), 0);
        }
        snprintf(p, sizeof(p), "%s/etc/systemd/system/kubelet.service.d/exec-start.conf", root);
        assert_int_equal(chmod(p, 0644), 0);
        return root;
}

static void test_readme_comparison_table_is_what_nodeward_says(void **state)
{
        (void)state;
        read_comparison_table();
        unsigned failures = 0;
        for (unsigned k = 0; k < N_ROOTS; k++) {
                char *root = rendered_copy(roots[k]);
                cJSON *j = tu_check_json(root, NULL, NULL);
                struct verdict_scope s = {j, k, &failures};
                for (size_t i = 0; i < n_rows; i++)
                        if (strchr(rows[i].checks, '`'))
                                for_each_pattern(&rows[i], assert_pattern, &s);
                cJSON_Delete(j);
                tu_rm_rf(root);
                free(root);
        }
        if (failures)
                fail_msg("%u README verdicts differ from nodeward's (listed above)", failures);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_readme_comparison_table_is_what_nodeward_says),
        };
        return cmocka_run_group_tests_name("README: nodeward and apiclient report cis-k8s", tests, NULL, NULL);
}
