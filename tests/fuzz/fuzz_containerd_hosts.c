/* fuzz_containerd_hosts: hosts.toml files as containerd's config_path directories hold them, and certs.d names. */
/* fuzz-max-len: 4194304 (ROOTFS_READ_CAP, a hosts.toml) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/node/containerd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct containerd_facts c;
        memset(&c, 0, sizeof(c));
        char *err = NULL;
        if (containerd_parse_hosts((const char *)data, size, "hosts.toml", "docker.io", &c, &err) < 0)
                free(err);
        char *const allow[] = {"*.dkr.ecr.*.amazonaws.com", "registry-1.docker.io"};
        for (size_t i = 0; i < c.n_hosts; i++) {
                if (!c.hosts[i].url || !c.hosts[i].origin.file)
                        abort();
                (void)containerd_registry_allowed(c.hosts[i].url, allow, 2);
        }
        /* The first line as a certs.d directory name and as an image reference. */
        size_t k = 0;
        while (k < size && k < 256 && data[k] && data[k] != '\n')
                k++;
        char *name = strndup((const char *)data, k);
        free(containerd_registry_from_dir(name));
        free(containerd_url_host(name));
        free(name);
        containerd_facts_free(&c);
        return 0;
}
