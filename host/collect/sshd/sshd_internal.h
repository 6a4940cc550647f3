/* sshd_internal: helpers shared by the sshd_config files (tokenizing, globbing, Match). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/rootfs.h"
#include "collect/sshd/sshd_config.h"

#define SSHD_HOSTS_CAP (1u << 20)  /* ROOT/etc/hosts, for ListenAddress names */
#define SSHD_PASSWD_CAP (4u << 20) /* ROOT/etc/passwd, for AuthorizedKeysFile homes */

char *sshd_strdelim(char **s);
/* Append @s (taken over) to a list value; the list stays NULL-terminated and
 * grows geometrically, so a long AllowUsers line costs linear time. */
void sshd_list_push(struct sshd_value *v, char *s);
int sshd_argv_split(const char *s, char ***ret_argv, size_t *ret_argc);
int sshd_convtime(const char *s);
/* OpenSSH hpdelim() for ListenAddress: "host:port", "[v6]:port"; NULL on bad syntax
 * (sshd 9.2 refuses "host/port" there). */
char *sshd_hpdelim(char **cp);
/* A port number or a tcp service name from ROOT/etc/services; -1 when neither. */
int sshd_a2port(const struct rootfs *root, const char *s);
/* The tcp port of service @name (or an alias) in an /etc/services text, parsed in
 * place; a line whose port is not 1..65535 is skipped. -1 when none. */
int sshd_services_port(char *buf, const char *name);
/* The addresses @name has in an /etc/hosts text, at most @max, as canonical text:
 * IPv4 entries, then IPv6, as @af (AF_ANY_, AF_INET_, AF_INET6_) allows. */
size_t sshd_hosts_lookup(const char *buf, const char *name, int af, char out[][64], size_t max);
/* The next account with an absolute home in an /etc/passwd text, split in place
 * from *@cursor (the text's start before the first call); false at the end. */
bool sshd_passwd_next(char **cursor, char **ret_user, char **ret_home);
/* An AuthorizedKeysFile entry for one account: %h, %u, %% expanded; a relative
 * one is under @home. */
char *sshd_expand_akf(const char *pat, const char *user, const char *home);
/* Paths matching an absolute glob @pattern inside @root, sorted in byte order, like
 * glob(3) in the C locale (a leading dot must be matched explicitly). */
int sshd_glob(const struct rootfs *root, const char *pattern, size_t max, char ***ret_paths, size_t *ret_n);
/* Validate a Match line's criteria (modified in place): 1 for "all", 0 for criteria
 * that never match without connection details, <0 for an invalid line. */
/* An address list ("10.0.0.0/8,!10.1.0.0/16,*.example"): false on a bad CIDR entry. */
bool sshd_addr_list_valid(const char *list);
int sshd_match_validate(char *criteria, char **ret_err);
