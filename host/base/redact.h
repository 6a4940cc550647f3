/* redact: the one place that decides which parts of host values are secrets and blanks them before output. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* What nodeward prints where a secret was. */
#define REDACTED "<redacted>"

/* A flag or field name that says it holds a secret: it contains token, password,
 * passwd, secret, key or credential (any case). Names ending in file, path, dir
 * or config are exempt: their value says where a secret is, not the secret
 * (--tls-private-key-file, --image-credential-provider-config). */
bool redact_name_is_secret(const char *name);

/* Every URL in @s ("scheme://...") loses its userinfo ("user:pass@") and its
 * query and fragment: "https://<redacted>@host/p?<redacted>"; then every
 * "NAME=VALUE", "NAME: VALUE" or "\"NAME\":\"VALUE\"" with a secret NAME loses
 * VALUE unless it is a boolean or a plain number, and "Authorization: ..."
 * (Proxy-Authorization, Cookie, Set-Cookie) loses its value. Other text is
 * copied. Linear in strlen(@s); returns a new string. */
char *redact_text(const char *s);

/* One command-line word: "--NAME=VALUE" with a secret NAME (or one containing
 * "header") keeps only the name, unless VALUE is true or false;
 * any other word goes through redact_text(). Returns a new string. */
char *redact_arg(const char *arg);

/* A whole command line (new array of new strings, @n long): also "--NAME VALUE"
 * as two words, where the value of a secret NAME is replaced. */
char **redact_argv(char *const *argv, size_t n);

/* Redact a JSON value in place, knowing the field @name it sits under (NULL or ""
 * for none): a secret name blanks every string or number beneath it; a name
 * containing "header" blanks the values and keeps the header names; anything
 * else is walked, each member judged by its own key, and strings go through
 * redact_text(). */
void redact_json(const char *name, cJSON *v);

/* Only redact_text() on every string beneath @v, names not judged: for documents
 * whose keys are a program's own keywords (sshd's HostKey names a file). */
void redact_json_text(cJSON *v);
