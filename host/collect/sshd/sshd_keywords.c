/* sshd_keywords: the one table of sshd_config keywords (as OpenSSH 9.2 servconf.c lists them). */
#include <strings.h>

#include "collect/sshd/sshd_config.h"
#include "base/util.h"

/* Multi-state values, in sshd's order: the first name of a value is the one sshd -T prints. */
static const struct sshd_multi m_flag[] = {{"yes", SSHD_YES}, {"no", SSHD_NO}, {NULL, 0}};
static const struct sshd_multi m_root[] = {
        {"without-password", PRL_WITHOUT_PASSWORD}, {"prohibit-password", PRL_WITHOUT_PASSWORD},
        {"forced-commands-only", PRL_FORCED_COMMANDS_ONLY}, {"yes", PRL_YES}, {"no", PRL_NO},
        {NULL, 0}};
static const struct sshd_multi m_af[] = {
        {"inet", AF_INET_}, {"inet6", AF_INET6_}, {"any", AF_ANY_}, {NULL, 0}};
static const struct sshd_multi m_rhosts[] = {
        {"yes", IRH_YES}, {"no", IRH_NO}, {"shosts-only", IRH_SHOSTS_ONLY}, {NULL, 0}};
static const struct sshd_multi m_gwp[] = {
        {"clientspecified", GWP_CLIENTSPECIFIED}, {"yes", GWP_YES}, {"no", GWP_NO}, {NULL, 0}};
static const struct sshd_multi m_fwd[] = {{"yes", FWD_YES}, {"all", FWD_YES}, {"no", FWD_NO},
                                          {"local", FWD_LOCAL}, {"remote", FWD_REMOTE}, {NULL, 0}};
static const struct sshd_multi m_compression[] = {
        {"yes", 1}, {"delayed", 1}, {"no", 0}, {NULL, 0}};
/* PermitTunnel is compared case-sensitively by sshd. */
static const struct sshd_multi m_tunnel[] = {{"yes", TUN_YES}, {"point-to-point", TUN_POINTOPOINT},
                                             {"ethernet", TUN_ETHERNET}, {"no", TUN_NO}, {NULL, 0}};
static const struct sshd_multi m_loglevel[] = {
        {"QUIET", LL_QUIET}, {"FATAL", LL_FATAL}, {"ERROR", LL_ERROR}, {"INFO", LL_INFO},
        {"VERBOSE", LL_VERBOSE}, {"DEBUG", LL_DEBUG1}, {"DEBUG1", LL_DEBUG1}, {"DEBUG2", LL_DEBUG2},
        {"DEBUG3", LL_DEBUG3}, {NULL, 0}};

#define A KWF_MATCH
#define G 0
#define FLAG(n, f, o) {n, KW_FLAG, f, o, m_flag}
#define MULTI(n, f, o, m) {n, KW_MULTI, f, o, m}
#define KW(n, t, f, o) {n, t, f, o, NULL}

static const struct sshd_keyword keywords[] = {
        KW("port", KW_PORT, G, -1),
        KW("hostkey", KW_LIST_ACCUM, G, SO_HOST_KEY),
        KW("hostdsakey", KW_LIST_ACCUM, G, SO_HOST_KEY),
        KW("hostkeyagent", KW_STRING, G, -1),
        KW("pidfile", KW_STRING, G, -1),
        KW("modulifile", KW_STRING, G, -1),
        KW("serverkeybits", KW_DEPRECATED, G, -1),
        KW("logingracetime", KW_TIME, G, SO_LOGIN_GRACE_TIME),
        KW("keyregenerationinterval", KW_DEPRECATED, G, -1),
        MULTI("permitrootlogin", A, SO_PERMIT_ROOT_LOGIN, m_root),
        KW("syslogfacility", KW_CONSUME, G, -1),
        {"loglevel", KW_LOGLEVEL, A, SO_LOG_LEVEL, m_loglevel},
        KW("logverbose", KW_CONSUME, A, -1),
        KW("rhostsauthentication", KW_DEPRECATED, G, -1),
        KW("rhostsrsaauthentication", KW_DEPRECATED, A, -1),
        KW("rsaauthentication", KW_DEPRECATED, A, -1),
        FLAG("hostbasedauthentication", A, SO_HOSTBASED_AUTH),
        FLAG("hostbasedusesnamefrompacketonly", A, -1),
        KW("hostbasedacceptedalgorithms", KW_CONSUME, A, -1),
        KW("hostbasedacceptedkeytypes", KW_CONSUME, A, -1),
        KW("hostkeyalgorithms", KW_CONSUME, G, -1),
        FLAG("pubkeyauthentication", A, SO_PUBKEY_AUTH),
        KW("pubkeyacceptedalgorithms", KW_CONSUME, A, -1),
        KW("pubkeyacceptedkeytypes", KW_CONSUME, A, -1),
        KW("pubkeyauthoptions", KW_CONSUME, A, -1),
        FLAG("dsaauthentication", G, SO_PUBKEY_AUTH),
        FLAG("kerberosauthentication", A, -1),
        FLAG("kerberosorlocalpasswd", G, -1),
        FLAG("kerberosticketcleanup", G, -1),
        KW("kerberosgetafstoken", KW_UNSUPPORTED, G, -1),
        KW("kerberostgtpassing", KW_UNSUPPORTED, G, -1),
        KW("afstokenpassing", KW_UNSUPPORTED, G, -1),
        FLAG("gssapiauthentication", A, -1),
        FLAG("gssapicleanupcredentials", G, -1),
        FLAG("gssapicleanupcreds", G, -1),
        FLAG("gssapistrictacceptorcheck", G, -1),
        FLAG("gssapikeyexchange", G, -1),
        FLAG("gssapistorecredentialsonrekey", G, -1),
        KW("gssapikexalgorithms", KW_CONSUME, G, -1),
        KW("gssapiusesessioncredcache", KW_UNSUPPORTED, G, -1),
        KW("gssusesessionccache", KW_UNSUPPORTED, G, -1),
        FLAG("passwordauthentication", A, SO_PASSWORD_AUTH),
        FLAG("kbdinteractiveauthentication", A, SO_KBD_INTERACTIVE_AUTH),
        FLAG("challengeresponseauthentication", A, SO_KBD_INTERACTIVE_AUTH),
        FLAG("skeyauthentication", A, SO_KBD_INTERACTIVE_AUTH),
        KW("checkmail", KW_DEPRECATED, G, -1),
        KW("listenaddress", KW_LISTEN, G, -1),
        MULTI("addressfamily", G, SO_ADDRESS_FAMILY, m_af),
        FLAG("printmotd", G, -1),
        FLAG("printlastlog", G, -1),
        MULTI("ignorerhosts", A, SO_IGNORE_RHOSTS, m_rhosts),
        FLAG("ignoreuserknownhosts", G, -1),
        FLAG("x11forwarding", A, SO_X11_FORWARDING),
        KW("x11displayoffset", KW_INT, A, -1),
        FLAG("x11uselocalhost", A, -1),
        KW("xauthlocation", KW_STRING, G, -1),
        FLAG("strictmodes", G, SO_STRICT_MODES),
        FLAG("permitemptypasswords", A, SO_PERMIT_EMPTY_PASSWORDS),
        KW("permituserenvironment", KW_PERMIT_USER_ENV, G, SO_PERMIT_USER_ENVIRONMENT),
        KW("uselogin", KW_DEPRECATED, G, -1),
        MULTI("compression", G, -1, m_compression),
        KW("rekeylimit", KW_CONSUME, A, -1),
        FLAG("tcpkeepalive", G, -1),
        FLAG("keepalive", G, -1),
        MULTI("allowtcpforwarding", A, SO_ALLOW_TCP_FORWARDING, m_fwd),
        FLAG("allowagentforwarding", A, SO_ALLOW_AGENT_FORWARDING),
        KW("allowusers", KW_ACCESS_LIST, A, SO_ALLOW_USERS),
        KW("denyusers", KW_ACCESS_LIST, A, SO_DENY_USERS),
        KW("allowgroups", KW_ACCESS_LIST, A, SO_ALLOW_GROUPS),
        KW("denygroups", KW_ACCESS_LIST, A, SO_DENY_GROUPS),
        KW("ciphers", KW_CONSUME, G, -1),
        KW("macs", KW_CONSUME, G, -1),
        KW("protocol", KW_IGNORE, G, -1),
        MULTI("gatewayports", A, SO_GATEWAY_PORTS, m_gwp),
        KW("subsystem", KW_CONSUME, G, -1),
        KW("maxstartups", KW_CONSUME, G, -1),
        KW("persourcemaxstartups", KW_CONSUME, G, -1),
        KW("persourcenetblocksize", KW_CONSUME, G, -1),
        KW("maxauthtries", KW_INT, A, SO_MAX_AUTH_TRIES),
        KW("maxsessions", KW_INT, A, SO_MAX_SESSIONS),
        KW("banner", KW_STRING, A, -1),
        FLAG("usedns", G, -1),
        KW("verifyreversemapping", KW_DEPRECATED, G, -1),
        KW("reversemappingcheck", KW_DEPRECATED, G, -1),
        KW("clientaliveinterval", KW_TIME, A, SO_CLIENT_ALIVE_INTERVAL),
        KW("clientalivecountmax", KW_INT, A, SO_CLIENT_ALIVE_COUNT_MAX),
        KW("authorizedkeysfile", KW_LIST_FIRST, A, SO_AUTHORIZED_KEYS_FILE),
        KW("authorizedkeysfile2", KW_DEPRECATED, A, -1),
        KW("useprivilegeseparation", KW_DEPRECATED, G, -1),
        KW("pamauthenticationviakbdint", KW_DEPRECATED, G, -1),
        KW("permitblacklistedkeys", KW_DEPRECATED, G, -1),
        KW("acceptenv", KW_CONSUME, A, -1),
        KW("setenv", KW_CONSUME, A, -1),
        {"permittunnel", KW_PERMIT_TUNNEL, A, SO_PERMIT_TUNNEL, m_tunnel},
        FLAG("permittty", A, -1),
        FLAG("permituserrc", A, -1),
        KW("match", KW_MATCH, A, -1),
        KW("permitopen", KW_CONSUME, A, -1),
        KW("permitlisten", KW_CONSUME, A, -1),
        KW("forcecommand", KW_CONSUME, A, -1),
        KW("chrootdirectory", KW_STRING, A, -1),
        KW("hostcertificate", KW_STRING, G, -1),
        KW("revokedkeys", KW_STRING, A, -1),
        KW("trustedusercakeys", KW_STRING, A, -1),
        KW("authorizedprincipalsfile", KW_STRING, A, -1),
        KW("kexalgorithms", KW_CONSUME, G, -1),
        KW("casignaturealgorithms", KW_CONSUME, A, -1),
        KW("ipqos", KW_CONSUME, A, -1),
        KW("authorizedkeyscommand", KW_RAW_COMMAND, A, SO_AUTHORIZED_KEYS_COMMAND),
        KW("authorizedkeyscommanduser", KW_STRING, A, SO_AUTHORIZED_KEYS_COMMAND_USER),
        KW("authorizedprincipalscommand", KW_RAW_COMMAND, A, -1),
        KW("authorizedprincipalscommanduser", KW_STRING, A, -1),
        KW("versionaddendum", KW_CONSUME, G, -1),
        KW("authenticationmethods", KW_CONSUME, A, -1),
        KW("streamlocalbindmask", KW_CONSUME, A, -1),
        FLAG("streamlocalbindunlink", A, -1),
        MULTI("allowstreamlocalforwarding", A, -1, m_fwd),
        KW("fingerprinthash", KW_CONSUME, G, -1),
        FLAG("disableforwarding", A, SO_DISABLE_FORWARDING),
        FLAG("exposeauthinfo", A, -1),
        KW("rdomain", KW_CONSUME, A, -1),
        KW("securitykeyprovider", KW_STRING, G, -1),
        KW("include", KW_INCLUDE, A, -1),
        KW("requiredrsasize", KW_INT, A, -1),
        KW("channeltimeout", KW_CONSUME, A, -1),
        KW("unusedconnectiontimeout", KW_CONSUME, A, -1),
        FLAG("usepam", G, SO_USE_PAM),
        FLAG("debianbanner", G, -1),
        /* Red Hat / Amazon Linux builds know these (Debian's does not): a node's valid
         * AL2023 config must not read as refused. */
        FLAG("gssapienablek5users", A, -1),
        FLAG("kerberosusekuserok", A, -1),
};

const struct sshd_keyword *sshd_keyword_find(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
                if (strcasecmp(keywords[i].name, name) == 0)
                        return &keywords[i];
        return NULL;
}

const struct sshd_multi *sshd_multi_of(enum sshd_opt o)
{
        for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
                if (keywords[i].opt == (int)o && keywords[i].multi)
                        return keywords[i].multi;
        return NULL;
}
