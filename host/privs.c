/* privs: give up privileges once the privileged part of a run is over. */
#include "privs.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

int privs_drop_all(void)
{
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        cap_t caps = cap_init(); /* an empty set */
        if (!caps)
                return -errno;
        int r = cap_set_proc(caps) < 0 ? -errno : 0;
        cap_free(caps);
        return r;
}

int privs_drop_to_readers(bool keep_setns)
{
        static const cap_value_t keep[] = {CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE, CAP_SYS_PTRACE, CAP_SYS_ADMIN};
        size_t n_keep = sizeof(keep) / sizeof(keep[0]) - (keep_setns ? 0 : 1);
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
        if (cap_set_proc(next) < 0)
                r = -errno;
out:
        cap_free(cur);
        cap_free(next);
        return r;
}
