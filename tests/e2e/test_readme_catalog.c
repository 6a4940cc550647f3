/* test_readme_catalog: the README's check tables list exactly the catalog's checks, with its severities. */
#include "testutil.h"

#include <fcntl.h>

#include "base/util.h"

/* One check as a README table row names it. */
struct row {
        char id[96];
        char severity[64];
        unsigned line;
};

static struct row rows[512];
static size_t n_rows;
static cJSON *catalog;

/* The text between the first two '|' after @cell (a row's cell), trimmed. */
static void cell_text(const char *cell, char *out, size_t size)
{
        const char *e = strchr(cell, '|');
        size_t n = e ? (size_t)(e - cell) : strlen(cell);
        while (n > 0 && (*cell == ' '))
                cell++, n--;
        while (n > 0 && cell[n - 1] == ' ')
                n--;
        snprintf(out, size, "%.*s", (int)n, cell);
}

/* A row's first cell names one check or several ("`a.x` / `a.y`"), each in backticks. */
static void add_row(const char *line, unsigned lineno)
{
        const char *sev = strchr(line + 1, '|');
        assert_non_null(sev);
        char first[512], severity[64];
        cell_text(line + 1, first, sizeof(first));
        cell_text(sev + 1, severity, sizeof(severity));
        for (char *p = first; (p = strchr(p, '`'));) {
                char *e = strchr(p + 1, '`');
                if (!e)
                        fail_msg("README.md line %u: unpaired backtick in %s", lineno, first);
                assert_true(n_rows < ARRAY_SIZE(rows));
                struct row *r = &rows[n_rows++];
                snprintf(r->id, sizeof(r->id), "%.*s", (int)(e - p - 1), p + 1);
                snprintf(r->severity, sizeof(r->severity), "%s", severity);
                r->line = lineno;
                p = e + 1;
        }
}

/* The check tables are the ones whose header starts "| id | severity |" (one per area). */
static void read_readme_tables(void)
{
        char *text = tu_read_readme();
        bool in_table = false;
        unsigned lineno = 0;
        for (char *l = text, *next; l && *l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                if (str_startswith(l, "| id | severity |")) {
                        in_table = true;
                        continue;
                }
                if (l[0] != '|')
                        in_table = false;
                if (in_table && !str_startswith(l, "|---"))
                        add_row(l, lineno);
        }
        free(text);
}

static int setup(void **state)
{
        (void)state;
        char *argv[] = {(char *)tu_nodeward(), "list", "--format", "json", NULL}, *out;
        int rc = tu_run(argv, &out, NULL);
        if (rc != 0)
                return -1;
        catalog = cJSON_Parse(out);
        free(out);
        if (!cJSON_IsArray(catalog))
                return -1;
        read_readme_tables();
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        cJSON_Delete(catalog);
        return 0;
}

static const struct row *readme_row(const char *id)
{
        for (size_t i = 0; i < n_rows; i++)
                if (strcmp(rows[i].id, id) == 0)
                        return &rows[i];
        return NULL;
}

static const cJSON *catalog_check(const char *id)
{
        const cJSON *c;
        cJSON_ArrayForEach(c, catalog)
        {
                const cJSON *cid = cJSON_GetObjectItem(c, "id");
                if (cJSON_IsString(cid) && strcmp(cid->valuestring, id) == 0)
                        return c;
        }
        return NULL;
}

static void test_every_catalog_check_has_a_readme_row(void **state)
{
        (void)state;
        size_t missing = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, catalog)
        {
                const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
                if (!readme_row(id)) {
                        fprintf(stderr, "README.md has no row for catalog check %s\n", id);
                        missing++;
                }
        }
        assert_int_equal(missing, 0);
}

static void test_every_readme_row_is_a_catalog_check(void **state)
{
        (void)state;
        /* Guards the parser: a README whose tables it no longer finds must not pass. */
        assert_true(n_rows >= (size_t)cJSON_GetArraySize(catalog));
        size_t unknown = 0;
        for (size_t i = 0; i < n_rows; i++)
                if (!catalog_check(rows[i].id)) {
                        fprintf(stderr, "README.md line %u: %s is not in `nodeward list`\n", rows[i].line, rows[i].id);
                        unknown++;
                }
        assert_int_equal(unknown, 0);
}

/* A check may sit in two areas' tables (kubelet.read-only-port: kubelet and network);
 * every row of it must say the catalog's severity. */
static void test_readme_severities_match_the_catalog(void **state)
{
        (void)state;
        size_t wrong = 0;
        for (size_t i = 0; i < n_rows; i++) {
                const cJSON *c = catalog_check(rows[i].id);
                if (!c)
                        continue;
                const char *sev = cJSON_GetObjectItem(c, "severity")->valuestring;
                if (strcmp(sev, rows[i].severity) != 0) {
                        fprintf(stderr, "README.md line %u: %s is %s, the catalog says %s\n", rows[i].line, rows[i].id,
                                rows[i].severity, sev);
                        wrong++;
                }
        }
        assert_int_equal(wrong, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_catalog_check_has_a_readme_row),
                cmocka_unit_test(test_every_readme_row_is_a_catalog_check),
                cmocka_unit_test(test_readme_severities_match_the_catalog),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
