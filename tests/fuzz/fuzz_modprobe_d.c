/* fuzz_modprobe_d: modprobe.d file text parsed into install and blacklist lines, looked up by module name; /proc/modules text and a kernel command line searched. */
/* fuzz-max-len: 262144 (MODPROBE_D_FILE_CAP; PROC_MODULES_CAP is larger, but its scan is the same line walk) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/node/modprobe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* The kernel command line is a NUL-terminated string (host.cmdline). */
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        struct modprobe_conf c = {0};
        modprobe_conf_parse((const char *)data, size, "/etc/modprobe.d/fuzz.conf", &c);
        static const char *const names[] = {"udf", "sctp", "nf-conntrack", "a[b-c]d"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                const struct modprobe_rule *in = modprobe_install_for(&c, names[i]);
                if (in)
                        (void)modprobe_command_refuses(in->command);
                (void)modprobe_blacklist_for(&c, names[i]);
                (void)proc_modules_lists((const char *)data, size, names[i]);
                (void)cmdline_lists_module(text, "module_blacklist", names[i]);
        }
        for (size_t i = 0; i < c.n && i < 8; i++)
                (void)modprobe_install_for(&c, c.v[i].module);
        modprobe_conf_free(&c);
        free(text);
        return 0;
}
