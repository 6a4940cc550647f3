/* sshd_keywords: the sshd_config keywords (as OpenSSH 9.2 servconf.c knows them), with one row per recorded setting. */
#include <errno.h>
#include <strings.h>

#include "collect/sshd/sshd_config.h"
#include "base/util.h"

/* Multi-state values, in sshd's order: the first name of a value is the one sshd -T prints. */
static const struct sshd_multi m_flag[] = {{"yes", SSHD_YES}, {"no", SSHD_NO}, {NULL, 0}};
static const struct sshd_multi m_root[] = {{"without-password", PRL_WITHOUT_PASSWORD},
                                           {"prohibit-password", PRL_WITHOUT_PASSWORD},
                                           {"forced-commands-only", PRL_FORCED_COMMANDS_ONLY},
                                           {"yes", PRL_YES},
                                           {"no", PRL_NO},
                                           {NULL, 0}};
static const struct sshd_multi m_af[] = {{"inet", AF_INET_}, {"inet6", AF_INET6_}, {"any", AF_ANY_}, {NULL, 0}};
static const struct sshd_multi m_rhosts[] = {
        {"yes", IRH_YES}, {"no", IRH_NO}, {"shosts-only", IRH_SHOSTS_ONLY}, {NULL, 0}};
static const struct sshd_multi m_gwp[] = {
        {"clientspecified", GWP_CLIENTSPECIFIED}, {"yes", GWP_YES}, {"no", GWP_NO}, {NULL, 0}};
static const struct sshd_multi m_fwd[] = {{"yes", FWD_YES},     {"all", FWD_YES},       {"no", FWD_NO},
                                          {"local", FWD_LOCAL}, {"remote", FWD_REMOTE}, {NULL, 0}};
static const struct sshd_multi m_compression[] = {{"yes", 1}, {"delayed", 1}, {"no", 0}, {NULL, 0}};
/* PermitTunnel is compared case-sensitively by sshd. */
static const struct sshd_multi m_tunnel[] = {
        {"yes", TUN_YES}, {"point-to-point", TUN_POINTOPOINT}, {"ethernet", TUN_ETHERNET}, {"no", TUN_NO}, {NULL, 0}};
static const struct sshd_multi m_loglevel[] = {{"QUIET", LL_QUIET},     {"FATAL", LL_FATAL},
                                               {"ERROR", LL_ERROR},     {"INFO", LL_INFO},
                                               {"VERBOSE", LL_VERBOSE}, {"DEBUG", LL_DEBUG1},
                                               {"DEBUG1", LL_DEBUG1},   {"DEBUG2", LL_DEBUG2},
                                               {"DEBUG3", LL_DEBUG3},   {NULL, 0}};

#define A KWF_MATCH
#define G 0
#define FLAG(n, f)                        \
        {                                 \
                n, KW_FLAG, f, -1, m_flag \
        }
#define MULTI(n, f, m)                \
        {                             \
                n, KW_MULTI, f, -1, m \
        }
#define KW(n, t, f)               \
        {                         \
                n, t, f, -1, NULL \
        }

/* The settings nodeward records, one row each, keyed by enum sshd_opt: the keyword sshd -T
 * prints, the older names sshd still accepts, and the default fill_default_server_options()
 * gives (Debian 12's sshd -T for an empty file). Recording a new setting is a row here and a
 * name in enum sshd_opt; parsing, defaults, dumping and the checks' messages follow. */
const struct sshd_opt_def sshd_opt_defs[] = {
        [SO_ADDRESS_FAMILY] = {"addressfamily", KW_MULTI, G, m_af, .def = AF_ANY_},
        [SO_USE_PAM] = {"usepam", KW_FLAG, G, m_flag, .def = 0},
        [SO_LOGIN_GRACE_TIME] = {"logingracetime", KW_TIME, G, NULL, .def = 120},
        [SO_MAX_AUTH_TRIES] = {"maxauthtries", KW_INT, A, NULL, .def = 6},
        [SO_MAX_SESSIONS] = {"maxsessions", KW_INT, A, NULL, .def = 10},
        [SO_CLIENT_ALIVE_INTERVAL] = {"clientaliveinterval", KW_TIME, A, NULL, .def = 0},
        [SO_CLIENT_ALIVE_COUNT_MAX] = {"clientalivecountmax", KW_INT, A, NULL, .def = 3},
        [SO_PERMIT_ROOT_LOGIN] = {"permitrootlogin", KW_MULTI, A, m_root, .def = PRL_WITHOUT_PASSWORD},
        [SO_IGNORE_RHOSTS] = {"ignorerhosts", KW_MULTI, A, m_rhosts, .def = IRH_YES},
        [SO_HOSTBASED_AUTH] = {"hostbasedauthentication", KW_FLAG, A, m_flag, .def = 0},
        /* servconf.c takes "dsaauthentication" in the global section only. */
        [SO_PUBKEY_AUTH] = {"pubkeyauthentication", KW_FLAG, A, m_flag, .def = 1,
                            .aliases = {{"dsaauthentication", G}}},
        [SO_PASSWORD_AUTH] = {"passwordauthentication", KW_FLAG, A, m_flag, .def = 1},
        [SO_KBD_INTERACTIVE_AUTH] = {"kbdinteractiveauthentication", KW_FLAG, A, m_flag, .def = 1,
                                     .aliases = {{"challengeresponseauthentication", A}, {"skeyauthentication", A}}},
        [SO_X11_FORWARDING] = {"x11forwarding", KW_FLAG, A, m_flag, .def = 0},
        [SO_STRICT_MODES] = {"strictmodes", KW_FLAG, G, m_flag, .def = 1},
        [SO_PERMIT_EMPTY_PASSWORDS] = {"permitemptypasswords", KW_FLAG, A, m_flag, .def = 0},
        [SO_GATEWAY_PORTS] = {"gatewayports", KW_MULTI, A, m_gwp, .def = GWP_NO},
        [SO_ALLOW_TCP_FORWARDING] = {"allowtcpforwarding", KW_MULTI, A, m_fwd, .def = FWD_YES},
        [SO_ALLOW_AGENT_FORWARDING] = {"allowagentforwarding", KW_FLAG, A, m_flag, .def = 1},
        [SO_DISABLE_FORWARDING] = {"disableforwarding", KW_FLAG, A, m_flag, .def = 0},
        [SO_AUTHORIZED_KEYS_COMMAND] = {"authorizedkeyscommand", KW_RAW_COMMAND, A, NULL},
        [SO_AUTHORIZED_KEYS_COMMAND_USER] = {"authorizedkeyscommanduser", KW_STRING, A, NULL},
        [SO_LOG_LEVEL] = {"loglevel", KW_LOGLEVEL, A, m_loglevel, .def = LL_INFO},
        [SO_AUTHORIZED_KEYS_FILE] = {"authorizedkeysfile", KW_LIST_FIRST, A, NULL,
                                     .def_list = {".ssh/authorized_keys", ".ssh/authorized_keys2"}},
        [SO_ALLOW_USERS] = {"allowusers", KW_ACCESS_LIST, A, NULL},
        [SO_DENY_USERS] = {"denyusers", KW_ACCESS_LIST, A, NULL},
        [SO_ALLOW_GROUPS] = {"allowgroups", KW_ACCESS_LIST, A, NULL},
        [SO_DENY_GROUPS] = {"denygroups", KW_ACCESS_LIST, A, NULL},
        [SO_PERMIT_TUNNEL] = {"permittunnel", KW_PERMIT_TUNNEL, A, m_tunnel, .def = TUN_NO},
        [SO_PERMIT_USER_ENVIRONMENT] = {"permituserenvironment", KW_PERMIT_USER_ENV, G, NULL, .def = 0},
        /* sshd -T prints the host keys it loaded, not this setting. */
        [SO_HOST_KEY] = {"hostkey", KW_LIST_ACCUM, G, NULL, .hidden = true, .aliases = {{"hostdsakey", G}},
                         .def_list = {"/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key",
                                      "/etc/ssh/ssh_host_ed25519_key"}},
};
/* A setting added to enum sshd_opt without a row here (at the end) fails to build; a row
 * left out in the middle is caught by test_every_setting_has_a_table_row. */
_Static_assert(ARRAY_SIZE(sshd_opt_defs) == SO__COUNT, "sshd_opt_defs[] needs one row per enum sshd_opt");

/* The keywords sshd knows but nodeward does not record, in servconf.c's order: parsed
 * (validated where cheap) and skipped. */
static const struct sshd_keyword keywords[] = {
        KW("port", KW_PORT, G),
        KW("hostkeyagent", KW_STRING, G),
        KW("pidfile", KW_STRING, G),
        KW("modulifile", KW_STRING, G),
        KW("serverkeybits", KW_DEPRECATED, G),
        KW("keyregenerationinterval", KW_DEPRECATED, G),
        KW("syslogfacility", KW_CONSUME, G),
        KW("logverbose", KW_CONSUME, A),
        KW("rhostsauthentication", KW_DEPRECATED, G),
        KW("rhostsrsaauthentication", KW_DEPRECATED, A),
        KW("rsaauthentication", KW_DEPRECATED, A),
        FLAG("hostbasedusesnamefrompacketonly", A),
        KW("hostbasedacceptedalgorithms", KW_CONSUME, A),
        KW("hostbasedacceptedkeytypes", KW_CONSUME, A),
        KW("hostkeyalgorithms", KW_CONSUME, G),
        KW("pubkeyacceptedalgorithms", KW_CONSUME, A),
        KW("pubkeyacceptedkeytypes", KW_CONSUME, A),
        KW("pubkeyauthoptions", KW_CONSUME, A),
        FLAG("kerberosauthentication", A),
        FLAG("kerberosorlocalpasswd", G),
        FLAG("kerberosticketcleanup", G),
        KW("kerberosgetafstoken", KW_UNSUPPORTED, G),
        KW("kerberostgtpassing", KW_UNSUPPORTED, G),
        KW("afstokenpassing", KW_UNSUPPORTED, G),
        FLAG("gssapiauthentication", A),
        FLAG("gssapicleanupcredentials", G),
        FLAG("gssapicleanupcreds", G),
        FLAG("gssapistrictacceptorcheck", G),
        FLAG("gssapikeyexchange", G),
        FLAG("gssapistorecredentialsonrekey", G),
        KW("gssapikexalgorithms", KW_CONSUME, G),
        KW("gssapiusesessioncredcache", KW_UNSUPPORTED, G),
        KW("gssusesessionccache", KW_UNSUPPORTED, G),
        KW("checkmail", KW_DEPRECATED, G),
        KW("listenaddress", KW_LISTEN, G),
        FLAG("printmotd", G),
        FLAG("printlastlog", G),
        FLAG("ignoreuserknownhosts", G),
        KW("x11displayoffset", KW_INT, A),
        FLAG("x11uselocalhost", A),
        KW("xauthlocation", KW_STRING, G),
        KW("uselogin", KW_DEPRECATED, G),
        MULTI("compression", G, m_compression),
        KW("rekeylimit", KW_CONSUME, A),
        FLAG("tcpkeepalive", G),
        FLAG("keepalive", G),
        KW("ciphers", KW_CONSUME, G),
        KW("macs", KW_CONSUME, G),
        KW("protocol", KW_IGNORE, G),
        KW("subsystem", KW_CONSUME, G),
        KW("maxstartups", KW_CONSUME, G),
        KW("persourcemaxstartups", KW_CONSUME, G),
        KW("persourcenetblocksize", KW_CONSUME, G),
        KW("banner", KW_STRING, A),
        FLAG("usedns", G),
        KW("verifyreversemapping", KW_DEPRECATED, G),
        KW("reversemappingcheck", KW_DEPRECATED, G),
        KW("authorizedkeysfile2", KW_DEPRECATED, A),
        KW("useprivilegeseparation", KW_DEPRECATED, G),
        KW("pamauthenticationviakbdint", KW_DEPRECATED, G),
        KW("permitblacklistedkeys", KW_DEPRECATED, G),
        KW("acceptenv", KW_CONSUME, A),
        KW("setenv", KW_CONSUME, A),
        FLAG("permittty", A),
        FLAG("permituserrc", A),
        KW("match", KW_MATCH, A),
        KW("permitopen", KW_CONSUME, A),
        KW("permitlisten", KW_CONSUME, A),
        KW("forcecommand", KW_CONSUME, A),
        KW("chrootdirectory", KW_STRING, A),
        KW("hostcertificate", KW_STRING, G),
        KW("revokedkeys", KW_STRING, A),
        KW("trustedusercakeys", KW_STRING, A),
        KW("authorizedprincipalsfile", KW_STRING, A),
        KW("kexalgorithms", KW_CONSUME, G),
        KW("casignaturealgorithms", KW_CONSUME, A),
        KW("ipqos", KW_CONSUME, A),
        KW("authorizedprincipalscommand", KW_RAW_COMMAND, A),
        KW("authorizedprincipalscommanduser", KW_STRING, A),
        KW("versionaddendum", KW_CONSUME, G),
        KW("authenticationmethods", KW_CONSUME, A),
        KW("streamlocalbindmask", KW_CONSUME, A),
        FLAG("streamlocalbindunlink", A),
        MULTI("allowstreamlocalforwarding", A, m_fwd),
        KW("fingerprinthash", KW_CONSUME, G),
        FLAG("exposeauthinfo", A),
        KW("rdomain", KW_CONSUME, A),
        KW("securitykeyprovider", KW_STRING, G),
        KW("include", KW_INCLUDE, A),
        KW("requiredrsasize", KW_INT, A),
        KW("channeltimeout", KW_CONSUME, A),
        KW("unusedconnectiontimeout", KW_CONSUME, A),
        FLAG("debianbanner", G),
        /* Red Hat / Amazon Linux builds know these (Debian's does not): a node's valid
         * AL2023 config must not read as refused. */
        FLAG("gssapienablek5users", A),
        FLAG("kerberosusekuserok", A),
};

int sshd_keyword_find(const char *name, struct sshd_keyword *ret)
{
        for (int o = 0; o < SO__COUNT; o++) {
                const struct sshd_opt_def *d = &sshd_opt_defs[o];
                unsigned flags = d->flags;
                bool hit = strcasecmp(d->name, name) == 0;
                for (size_t a = 0; !hit && a < ARRAY_SIZE(d->aliases) && d->aliases[a].name; a++)
                        if (strcasecmp(d->aliases[a].name, name) == 0) {
                                hit = true;
                                flags = d->aliases[a].flags;
                        }
                if (hit) {
                        *ret = (struct sshd_keyword){d->name, d->type, flags, o, d->multi};
                        return 0;
                }
        }
        for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
                if (strcasecmp(keywords[i].name, name) == 0) {
                        *ret = keywords[i];
                        return 0;
                }
        return -ENOENT;
}

const struct sshd_multi *sshd_multi_of(enum sshd_opt o)
{
        return o < SO__COUNT ? sshd_opt_defs[o].multi : NULL;
}

const char *sshd_opt_keyword(enum sshd_opt o)
{
        return o < SO__COUNT ? sshd_opt_defs[o].name : "?";
}
