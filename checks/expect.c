/* expect: what the operator says this node runs, so that not finding it is an error, not a skip. */
#include "expect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int expect_parse(const char *list, unsigned *ret_expect)
{
        unsigned e = 0;
        const char *p = list;
        while (p && *p) {
                size_t n = strcspn(p, ",");
                if (n == strlen("kubelet") && strncmp(p, "kubelet", n) == 0)
                        e |= EXPECT_KUBELET;
                else
                        return -EINVAL;
                p += n;
                p += *p == ',';
        }
        if (!e)
                return -EINVAL;
        *ret_expect = e;
        return 0;
}

unsigned expect_needs(unsigned expect)
{
        return expect & EXPECT_KUBELET ? FACT_KUBELET : 0;
}

char *expect_unmet(unsigned expect, const struct facts *f)
{
        if (!(expect & EXPECT_KUBELET) || f->kubelet.found)
                return NULL;
        /* The boot check ran before the kubelet's configuration was written, or
         * the root is not the node's: either way the kubelet checks judged nothing. */
        return xasprintf("--expect kubelet, but under %s: %s", f->root_path ? f->root_path : "/",
                         f->kubelet.absent_reason ? f->kubelet.absent_reason : "not found");
}

int expect_apply(unsigned expect, const struct facts *f, struct run *run, enum severity fail_on)
{
        char *why = expect_unmet(expect, f);
        if (!why)
                return engine_exit_code(run, fail_on);
        bool carried = false;
        for (size_t i = 0; i < run->n; i++) {
                struct result *r = &run->results[i];
                if (!(r->check->needs & FACT_KUBELET) || r->status != ST_SKIP)
                        continue;
                result_set(r, ST_ERROR, "%s", why);
                r->kubelet_absent = false;
                result_locate(f, r); /* the new evidence may name another place */
                run->summary[ST_SKIP]--;
                run->summary[ST_ERROR]++;
                carried = true;
        }
        free(why);
        int rc = engine_exit_code(run, fail_on);
        return rc == 0 && !carried ? 2 : rc;
}
