/* fuzz_watch_state: any readiness state text is judged ready or not, with a reason, and nothing else. */
/* fuzz-max-len: 4097 (STATE_MAX + 1: one byte past what the reader accepts) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        char *why = NULL;
        int r = watch_state_evaluate(text, 1000000, &why);
        if ((r != 0 && r != 1) || !why || strlen(why) > 1024)
                abort();
        free(why);
        free(text);
        return 0;
}
