/* privs: give up privileges once the privileged part of a run is over. */
#include "base/privs.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "base/util.h"

static bool is_kept(cap_value_t c, const cap_value_t *keep, size_t n_keep)
{
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] == c)
                        return true;
        return false;
}

/* The capabilities still permitted beyond @keep, as "cap_a,cap_b" (NULL: none).
 * Reading back is the only proof: a seccomp filter (systemd's
 * SystemCallFilter=~@privileged) can make capset fail with EPERM, and an LSM
 * could refuse it too, while every capability stays. */
static char *held_beyond(const cap_value_t *keep, size_t n_keep)
{
        cap_t now = cap_get_proc();
        if (!now)
                return xstrdup("(cannot read the capability sets)");
        struct strbuf sb = {0};
        for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
                cap_flag_value_t v = CAP_CLEAR;
                if (is_kept(c, keep, n_keep) || cap_get_flag(now, c, CAP_PERMITTED, &v) < 0 || v != CAP_SET)
                        continue;
                char *name = cap_to_name(c);
                sb_printf(&sb, "%s%s", sb.len ? "," : "", name ? name : "?");
                cap_free(name);
        }
        cap_free(now);
        return sb.buf;
}

/* Keep exactly @keep (where held) in the permitted and effective sets, clear the
 * bounding set of everything else, and set no_new_privs. */
static int drop_except(const cap_value_t *keep, size_t n_keep, char **ret_err)
{
        int r = 0;
        const char *what = "prctl(PR_SET_NO_NEW_PRIVS)";
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = -errno;
        cap_t cur = cap_get_proc(), next = cap_init();
        if (r == 0 && (!cur || !next)) {
                r = -errno;
                what = "cap_get_proc";
        }
        for (size_t i = 0; r == 0 && i < n_keep; i++) {
                cap_flag_value_t v = CAP_CLEAR;
                if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET) {
                        cap_set_flag(next, CAP_PERMITTED, 1, &keep[i], CAP_SET);
                        cap_set_flag(next, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
                }
        }
        /* The bounding set goes first, while CAP_SETPCAP is still effective; without
         * it (an unprivileged run, or a unit's CapabilityBoundingSet) the bounding
         * set cannot shrink, and the permitted set below is what counts. */
        for (cap_value_t c = 0; r == 0 && c <= CAP_LAST_CAP; c++)
                if (!is_kept(c, keep, n_keep) && CAP_IS_SUPPORTED(c))
                        prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
        if (r == 0 && cap_set_proc(next) < 0) {
                r = -errno;
                what = "capset";
        }
        cap_free(cur);
        cap_free(next);
        char *held = held_beyond(keep, n_keep);
        /* A refused capset that left nothing beyond @keep (an unprivileged run)
         * broke no promise. */
        if (r < 0 && strcmp(what, "capset") == 0 && !held)
                r = 0;
        if (r == 0 && held) {
                r = -EPERM;
                what = "capset (it returned success)";
        }
        if (r < 0 && ret_err)
                *ret_err = xasprintf("%s: %s; still holding %s%s", what, strerror(-r), held ? held : "no capability",
                                     r == -EPERM ? " (a seccomp filter denying capset? systemd units need "
                                                   "SystemCallFilter=capset after ~@privileged)"
                                                 : "");
        free(held);
        return r;
}

int privs_drop_all(char **ret_err)
{
        return drop_except(NULL, 0, ret_err);
}

int privs_drop_to_readers(char **ret_err)
{
        static const cap_value_t keep[] = {CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE};
        return drop_except(keep, sizeof(keep) / sizeof(keep[0]), ret_err);
}

int privs_drop_to_prober(char **ret_err)
{
        static const cap_value_t keep[] = {CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_SETUID, CAP_SETGID};
        return drop_except(keep, sizeof(keep) / sizeof(keep[0]), ret_err);
}
