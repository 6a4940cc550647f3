/* sshd_lex: sshd's own tokenizing rules: strdelim(), argv_split() and convtime(). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sshd/sshd_internal.h"
#include "base/util.h"

#define WHITESPACE " \t\r\n"

/* sshd's strdelim(): one word split on whitespace and at most one '=', with "quotes".
 * sshd drops the opening quote by moving the whole rest of the line; here only the
 * quoted word moves, so a line of many quoted words costs linear time. */
char *sshd_strdelim(char **s)
{
        if (!*s)
                return NULL;
        char *old = *s;
        *s = strpbrk(*s, WHITESPACE "\"=");
        if (!*s)
                return old;
        if (**s == '"') {
                char *close = strchr(*s + 1, '"');
                if (!close)
                        return NULL;
                memmove(*s, *s + 1, (size_t)(close - *s - 1));
                close[-1] = '\0';
                *s = close + 1 + strspn(close + 1, WHITESPACE);
                return old;
        }
        bool wspace = **s == '=';
        **s = '\0';
        *s += strspn(*s + 1, WHITESPACE) + 1;
        if (**s == '=' && !wspace)
                *s += strspn(*s + 1, WHITESPACE) + 1;
        return old;
}

/* sshd's argv_split(..., terminate_on_comment=1). -EINVAL on an unterminated quote.
 * Each word is unquoted into one scratch buffer the size of the line and copied out
 * at its own length, and the vector grows geometrically: a 1 MiB line of one-letter
 * words costs a few MiB, not a copy of the rest of the line per word. */
int sshd_argv_split(const char *s, char ***ret_argv, size_t *ret_argc)
{
        _cleanup_free_ char *word = xmalloc(strlen(s) + 1);
        char **argv = xcalloc(1, sizeof(*argv));
        size_t argc = 0, cap = 1;
        for (size_t i = 0; s[i]; i++) {
                if (s[i] == ' ' || s[i] == '\t')
                        continue;
                if (s[i] == '#')
                        break;
                char quote = 0;
                size_t j = 0;
                for (; s[i]; i++) {
                        if (s[i] == '\\' &&
                            (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' || (!quote && s[i + 1] == ' ')))
                                word[j++] = s[++i];
                        else if (!quote && (s[i] == ' ' || s[i] == '\t'))
                                break;
                        else if (!quote && (s[i] == '"' || s[i] == '\''))
                                quote = s[i];
                        else if (quote && s[i] == quote)
                                quote = 0;
                        else
                                word[j++] = s[i];
                }
                if (argc + 2 > cap) {
                        cap = 2 * cap + 2;
                        argv = xrealloc(argv, cap * sizeof(*argv));
                }
                char *arg = xmalloc(j + 1);
                memcpy(arg, word, j);
                arg[j] = '\0';
                argv[argc++] = arg;
                argv[argc] = NULL;
                if (!s[i]) {
                        if (quote) {
                                strv_free(argv, argc);
                                return -EINVAL;
                        }
                        break;
                }
        }
        *ret_argv = argv;
        *ret_argc = argc;
        return 0;
}

/* OpenSSH convtime(): "1h30s" -> 3630; -1 when invalid. */
int sshd_convtime(const char *s)
{
        long total = 0;
        if (!s || !*s)
                return -1;
        const char *p = s;
        while (*p) {
                char *end;
                errno = 0;
                long secs = strtol(p, &end, 10);
                if (p == end || (errno == ERANGE && (secs == LONG_MIN || secs == LONG_MAX)) || secs < 0)
                        return -1;
                long mult = 1;
                switch (*end++) {
                case '\0': end--; break;
                case 's':
                case 'S': break;
                case 'm':
                case 'M': mult = 60; break;
                case 'h':
                case 'H': mult = 3600; break;
                case 'd':
                case 'D': mult = 86400; break;
                case 'w':
                case 'W': mult = 604800; break;
                default: return -1;
                }
                if (secs > INT_MAX / mult)
                        return -1;
                secs *= mult;
                if (total > INT_MAX - secs)
                        return -1;
                total += secs;
                p = end;
        }
        return (int)total;
}
