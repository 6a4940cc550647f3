/* fuzz_toml: the TOML reader on any bytes, then a walk of every value and the lookups containerd's resolver makes. */
/* fuzz-max-len: 4194304 (ROOTFS_READ_CAP, containerd config.toml and its imports) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/toml.h"

static size_t walk(const struct toml_value *v, unsigned depth)
{
        size_t n = 1;
        if (depth > 3 * TOML_MAX_DEPTH + 2)
                abort(); /* deeper than the caps allow */
        if (v->type == TOML_TABLE)
                for (size_t i = 0; i < v->u.tab.n; i++) {
                        if (toml_get(v, v->u.tab.kv[i].key) == NULL &&
                            v->u.tab.kv[i].key_len == __builtin_strlen(v->u.tab.kv[i].key))
                                abort(); /* every key can be found again */
                        n += walk(v->u.tab.kv[i].value, depth + 1);
                }
        else if (v->type == TOML_ARRAY)
                for (size_t i = 0; i < v->u.arr.n; i++)
                        n += walk(v->u.arr.items[i], depth + 1);
        else if (v->type != TOML_INTEGER && v->type != TOML_FLOAT && v->type != TOML_BOOL && !v->u.str.s)
                abort();
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct toml_doc *d = NULL;
        char *err = NULL;
        if (toml_parse((const char *)data, size, "fuzz.toml", &d, &err) < 0) {
                free(err);
                return 0;
        }
        walk(d->root, 0);
        const char *path[] = {"plugins", "io.containerd.grpc.v1.cri", "registry", "config_path"};
        (void)toml_string(toml_get_path(d->root, path, 4));
        toml_doc_free(d);
        return 0;
}
