/* privs: give up privileges once the privileged part of a run is over. */
#include "privs.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* Keep exactly @keep (where held) in the permitted and effective sets, clear the
 * bounding set of everything else, and set no_new_privs. */
static int drop_except(const cap_value_t *keep, size_t n_keep)
{
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        cap_t cur = cap_get_proc(), next = cap_init();
        int r = 0;
        if (!cur || !next) {
                r = -errno;
                goto out;
        }
        for (size_t i = 0; i < n_keep; i++) {
                cap_flag_value_t v = CAP_CLEAR;
                if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET) {
                        cap_set_flag(next, CAP_PERMITTED, 1, &keep[i], CAP_SET);
                        cap_set_flag(next, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
                }
        }
        /* The bounding set goes first, while CAP_SETPCAP is still effective; without
         * it (an unprivileged run) there is nothing in it worth the error. */
        for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
                bool kept = false;
                for (size_t i = 0; i < n_keep; i++)
                        kept |= keep[i] == c;
                if (!kept && CAP_IS_SUPPORTED(c))
                        prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
        }
        if (cap_set_proc(next) < 0)
                r = -errno;
out:
        cap_free(cur);
        cap_free(next);
        return r;
}

int privs_drop_all(void)
{
        return drop_except(NULL, 0);
}

int privs_drop_to_readers(void)
{
        static const cap_value_t keep[] = {CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE};
        return drop_except(keep, sizeof(keep) / sizeof(keep[0]));
}
