/* privs: give up privileges once the privileged part of a run is over. */
#pragma once

/* Drop every capability from the effective, permitted and inheritable sets and
 * set no_new_privs. Returns 0 or -errno. */
int privs_drop_all(void);
