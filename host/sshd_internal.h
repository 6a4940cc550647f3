/* sshd_internal: helpers shared by the sshd_config files (tokenizing, globbing, Match). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "rootfs.h"

char *sshd_strdelim(char **s);
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
/* Paths matching an absolute glob @pattern inside @root, sorted in byte order, like
 * glob(3) in the C locale (a leading dot must be matched explicitly). */
int sshd_glob(const struct rootfs *root, const char *pattern, size_t max, char ***ret_paths,
              size_t *ret_n);
/* Validate a Match line's criteria (modified in place): 1 for "all", 0 for criteria
 * that never match without connection details, <0 for an invalid line. */
/* An address list ("10.0.0.0/8,!10.1.0.0/16,*.example"): false on a bad CIDR entry. */
bool sshd_addr_list_valid(const char *list);
int sshd_match_validate(char *criteria, char **ret_err);
