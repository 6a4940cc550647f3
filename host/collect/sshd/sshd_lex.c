/* sshd_lex: sshd's own tokenizing rules: strdelim(), argv_split() and convtime(). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sshd/sshd_internal.h"
#include "base/util.h"

#define WHITESPACE " \t\r\n"

/* sshd's strdelim(): one word split on whitespace and at most one '=', with "quotes". */
char *sshd_strdelim(char **s)
{
        if (!*s)
                return NULL;
        char *old = *s;
        *s = strpbrk(*s, WHITESPACE "\"=");
        if (!*s)
                return old;
        if (**s == '"') {
                memmove(*s, *s + 1, strlen(*s));
                if (!(*s = strpbrk(*s, "\"")))
                        return NULL;
                **s = '\0';
                *s += strspn(*s + 1, WHITESPACE) + 1;
                return old;
        }
        bool wspace = **s == '=';
        **s = '\0';
        *s += strspn(*s + 1, WHITESPACE) + 1;
        if (**s == '=' && !wspace)
                *s += strspn(*s + 1, WHITESPACE) + 1;
        return old;
}

/* sshd's argv_split(..., terminate_on_comment=1). -EINVAL on an unterminated quote. */
int sshd_argv_split(const char *s, char ***ret_argv, size_t *ret_argc)
{
        char **argv = xcalloc(1, sizeof(*argv));
        size_t argc = 0;
        for (size_t i = 0; s[i]; i++) {
                if (s[i] == ' ' || s[i] == '\t')
                        continue;
                if (s[i] == '#')
                        break;
                char quote = 0, *arg = xcalloc(1, strlen(s + i) + 1);
                argv = xrealloc(argv, (argc + 2) * sizeof(*argv));
                argv[argc++] = arg;
                argv[argc] = NULL;
                size_t j = 0;
                for (; s[i]; i++) {
                        if (s[i] == '\\' &&
                            (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' || (!quote && s[i + 1] == ' ')))
                                arg[j++] = s[++i];
                        else if (!quote && (s[i] == ' ' || s[i] == '\t'))
                                break;
                        else if (!quote && (s[i] == '"' || s[i] == '\''))
                                quote = s[i];
                        else if (quote && s[i] == quote)
                                quote = 0;
                        else
                                arg[j++] = s[i];
                }
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
