/* watch_state: the small file a watch keeps current so a readiness probe (`nodeward ready`) can tell whether its eBPF probe is attached. */
#define _GNU_SOURCE
#include "cli/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/textfile.h"
#include "base/util.h"

#define STATE_SCHEMA "nodeward.watch-state/v1"
/* The file is a few hundred bytes; anything larger is not ours. */
#define STATE_MAX 4096

static const char *const probe_names[] = {"attached", "error", "off", "exited"};

int watch_state_write(const char *path, enum watch_probe probe, const char *detail, int interval, time_t now)
{
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "schema", STATE_SCHEMA);
        cJSON_AddNumberToObject(j, "pid", (double)getpid());
        cJSON_AddStringToObject(j, "probe", probe_names[probe]);
        if (detail)
                cJSON_AddStringToObject(j, probe == WATCH_PROBE_ERROR ? "error" : "mode", detail);
        cJSON_AddNumberToObject(j, "interval", interval);
        cJSON_AddNumberToObject(j, "updated", (double)now);
        char *s = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        /* Replaced atomically: the probe never reads half a file. */
        struct textfile tf;
        int r = textfile_begin(path, &tf);
        if (r == 0) {
                fprintf(tf.f, "%s\n", s);
                r = textfile_commit(&tf);
        }
        free(s);
        return r;
}

/* Ready when the probe is attached (or not needed by the selected checks) and the
 * watch rewrote the file within two intervals and a minute of slack: a hung or
 * dead watch goes not-ready on its own. */
int watch_state_evaluate(const char *text, time_t now, char **ret_reason)
{
        cJSON *j = cJSON_Parse(text);
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(j, "schema");
        const cJSON *probe = cJSON_GetObjectItemCaseSensitive(j, "probe");
        const cJSON *upd = cJSON_GetObjectItemCaseSensitive(j, "updated");
        const cJSON *ivl = cJSON_GetObjectItemCaseSensitive(j, "interval");
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive(j, "mode");
        char *reason;
        int ready = 0;
        if (!cJSON_IsString(schema) || strcmp(schema->valuestring, STATE_SCHEMA) != 0 || !cJSON_IsString(probe) ||
            !cJSON_IsNumber(upd) || !cJSON_IsNumber(ivl) || ivl->valuedouble < 1 || ivl->valuedouble > 86400) {
                reason = xstrdup("not a " STATE_SCHEMA " file");
        } else if (strcmp(probe->valuestring, "attached") != 0 && strcmp(probe->valuestring, "off") != 0) {
                reason = xasprintf("eBPF probe %.32s%s%.200s", probe->valuestring, cJSON_IsString(err) ? ": " : "",
                                   cJSON_IsString(err) ? err->valuestring : "");
        } else if (upd->valuedouble > (double)now + 60 || (double)now - upd->valuedouble > 2 * ivl->valuedouble + 60) {
                reason = xasprintf("state is stale: updated %.0f s ago, interval %.0f s",
                                   (double)now - upd->valuedouble, ivl->valuedouble);
        } else {
                ready = 1;
                reason = xasprintf("eBPF probe %s%s%.200s", probe->valuestring, cJSON_IsString(mode) ? " " : "",
                                   cJSON_IsString(mode) ? mode->valuestring : "");
        }
        cJSON_Delete(j);
        *ret_reason = reason;
        return ready;
}

int watch_state_check(const char *path, time_t now, char **ret_reason)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                *ret_reason = xasprintf("%s: %s", path, strerror(errno));
                return 0;
        }
        char buf[STATE_MAX + 1];
        size_t got = 0;
        ssize_t n;
        while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        *ret_reason = xasprintf("%s: %s", path, strerror(errno));
                        return 0;
                }
                got += (size_t)n;
        }
        buf[got] = '\0';
        if (got >= STATE_MAX) {
                *ret_reason = xasprintf("%s: larger than %d bytes", path, STATE_MAX);
                return 0;
        }
        return watch_state_evaluate(buf, now, ret_reason);
}
