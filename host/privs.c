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
