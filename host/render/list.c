/* list: `nodeward list`, the check catalog with each check's item in a benchmark, as text or JSON. */
#define _GNU_SOURCE
#include "render/list.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render/report.h"

int cli_parse_benchmark(const char *s, const struct benchmark **ret)
{
        *ret = benchmark_find(s);
        if (*ret)
                return 0;
        fprintf(stderr, "nodeward: --benchmark: unknown benchmark \"%s\"; one of: cis-eks, cis-kubernetes", s);
        for (size_t i = 0; i < benchmarks_len; i++)
                fprintf(stderr, ", %s", benchmarks[i].id);
        fputc('\n', stderr);
        return -EINVAL;
}

/* One check of the catalog with its item in @b, for `list --format json`. */
static cJSON *list_entry_json(const struct check_def *d, const struct benchmark *b)
{
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "id", d->id);
        cJSON_AddStringToObject(j, "severity", severity_name(d->severity));
        cJSON_AddStringToObject(j, "title", d->title);
        struct result r = {.check = d, .item = benchmark_item(b, d->id)};
        report_add_references(j, b, &r);
        return j;
}

static void list_text(const struct benchmark *b)
{
        printf("%-34s %-8s %-16s %s  [references]   (%s %s)\n", "ID", "SEVERITY", "ITEM", "TITLE", b->name, b->version);
        for (size_t i = 0; i < check_catalog_len; i++) {
                const struct check_def *d = &check_catalog[i];
                const struct bench_item *it = benchmark_item(b, d->id);
                char item[32];
                if (it)
                        snprintf(item, sizeof(item), "%s L%u %s", it->item, (unsigned)it->level,
                                 it->assessment == ASSESS_AUTOMATED ? "auto" : "manual");
                else
                        snprintf(item, sizeof(item), "not in it");
                printf("%-34s %-8s %-16s %s [", d->id, severity_name(d->severity), item, d->title);
                for (size_t k = 0; k < MAX_REFS && d->references[k]; k++)
                        printf("%s%s", k ? "; " : "", d->references[k]);
                printf("]\n");
        }
}

int list_command(int argc, char **argv, const char *help)
{
        bool json = false, list_benchmarks = false;
        const struct benchmark *bench = NULL;
        static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                           {"benchmark", required_argument, NULL, 'b'},
                                           {"benchmarks", no_argument, NULL, 'B'},
                                           {"help", no_argument, NULL, 'h'},
                                           {0, 0, 0, 0}};
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
                if (c == 'h') {
                        fputs(help, stdout);
                        return 0;
                }
                if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0)) {
                        json = strcmp(optarg, "json") == 0;
                        continue;
                }
                if (c == 'b') {
                        if (cli_parse_benchmark(optarg, &bench) < 0)
                                return 2;
                        continue;
                }
                if (c == 'B') {
                        list_benchmarks = true;
                        continue;
                }
                fputs(help, stderr);
                return 2;
        }
        if (list_benchmarks) {
                for (size_t i = 0; i < benchmarks_len; i++)
                        printf("%-24s %s %s%s\n", benchmarks[i].id, benchmarks[i].name, benchmarks[i].version,
                               &benchmarks[i] == benchmark_default() ? "  (default)" : "");
                return 0;
        }
        const struct benchmark *b = bench ? bench : benchmark_default();
        if (!json) {
                list_text(b);
                return 0;
        }
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < check_catalog_len; i++)
                cJSON_AddItemToArray(arr, list_entry_json(&check_catalog[i], b));
        char *s = cJSON_Print(arr);
        printf("%s\n", s);
        free(s);
        cJSON_Delete(arr);
        return 0;
}
