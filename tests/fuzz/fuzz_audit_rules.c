/* fuzz_audit_rules: auditctl rule text parsed into file watches, and a path checked against them. */
/* fuzz-max-len: 1048576 (AUDIT_RULES_FILE_CAP, one rules file) */
#include <stddef.h>
#include <stdint.h>

#include "collect/node/audit_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct audit_rules a = {.enabled = -1, .augenrules = size > 0 && (data[0] & 1)};
        audit_rules_parse((const char *)data, size, "/etc/audit/rules.d/fuzz.rules", &a);
        (void)audit_rules_covering(&a, "/etc/kubernetes/kubelet/config.json");
        (void)audit_rules_covering(&a, "/");
        audit_rules_free(&a);
        return 0;
}
