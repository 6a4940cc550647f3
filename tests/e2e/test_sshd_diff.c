/* test_sshd_diff: `nodeward explain sshd --root CASE` agrees with Debian's real `sshd -T` on generated cases. */
#include "testutil.h"

#include <stdbool.h>

#include "base/util.h"

#define SSHD "/usr/sbin/sshd"
#define MAX_FILES 20

struct dcase {
        const char *name;
        const char *files[MAX_FILES][2]; /* path under /etc/ssh, content */
        const char *args[8];             /* the running sshd's extra arguments */
        bool fails;                      /* sshd refuses it */
};

/* One case per line or paragraph, laid out by hand. */
/* clang-format off */
#define CFG(text) {{"sshd_config", text}}

static const struct dcase cases[] = {
        {"empty file gives the defaults", CFG(""), {0}, false},
        {"plain settings", CFG("Port 2222\nPermitRootLogin no\nPasswordAuthentication no\nMaxAuthTries 3\n"
                               "X11Forwarding yes\nClientAliveInterval 300\nClientAliveCountMax 2\nUsePAM yes\n"), {0}, false},
        {"keywords and values are case-insensitive", CFG("PERMITROOTLOGIN No\npasswordauthentication YES\nx11FORWARDING Yes\n"), {0}, false},
        {"equals forms", CFG("PermitRootLogin=no\nMaxAuthTries = 3\nLogLevel= VERBOSE\nMaxSessions =4\n"), {0}, false},
        {"tabs, leading space and trailing comments", CFG("\tX11Forwarding\tyes # comment\n   MaxSessions 2\t#x\n# PermitRootLogin yes\n"), {0}, false},
        {"quotes", CFG("AllowUsers \"a b\" c 'd'\nAuthorizedKeysCommand /usr/bin/x \"%u\"  y\nAuthorizedKeysCommandUser nobody\n"), {0}, false},
        {"CRLF line ends", CFG("PermitRootLogin yes\r\nMaxSessions 3\r\nPort 2200\r\n"), {0}, false},
        {"first value wins", CFG("PermitRootLogin no\nPermitRootLogin yes\nMaxAuthTries 2\nMaxAuthTries 5\nLoginGraceTime 30\nLoginGraceTime 60\n"), {0}, false},
        {"drop-in before the main file wins", {{"sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\nPermitRootLogin no\n"},
                                               {"sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n"}}, {0}, false},
        {"drop-in after the main file loses", {{"sshd_config", "PasswordAuthentication no\nInclude sshd_config.d/*.conf\n"},
                                               {"sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\nMaxAuthTries 2\n"}}, {0}, false},
        {"glob order is byte order with mixed case", {{"sshd_config", "Include sshd_config.d/*\n"},
                                                      {"sshd_config.d/b.conf", "PermitRootLogin yes\nMaxSessions 5\n"},
                                                      {"sshd_config.d/B.conf", "PermitRootLogin no\n"},
                                                      {"sshd_config.d/a.conf", "MaxSessions 7\nMaxAuthTries 1\n"},
                                                      {"sshd_config.d/_z.conf", "MaxAuthTries 9\n"},
                                                      {"sshd_config.d/10-x.conf", "LogLevel ERROR\n"}}, {0}, false},
        {"hidden files are not matched", {{"sshd_config", "Include sshd_config.d/*.conf\n"},
                                          {"sshd_config.d/.hidden.conf", "PermitRootLogin yes\n"},
                                          {"sshd_config.d/z.conf", "MaxSessions 3\n"}}, {0}, false},
        {"relative and absolute includes", {{"sshd_config", "Include extra.conf\nInclude /etc/ssh/more.conf\n"},
                                            {"extra.conf", "PermitRootLogin forced-commands-only\n"},
                                            {"more.conf", "PermitRootLogin yes\nMaxAuthTries 4\n"}}, {0}, false},
        {"nested includes", {{"sshd_config", "Include a.conf\n"},
                             {"a.conf", "Include sub/*.conf\nMaxSessions 1\n"},
                             {"sub/x.conf", "MaxSessions 2\nInclude sub/deeper/y.conf\n"},
                             {"sub/deeper/y.conf", "X11Forwarding yes\n"}}, {0}, false},
        {"several include arguments in order", {{"sshd_config", "Include y.conf x.conf\n"},
                                                {"x.conf", "PermitRootLogin no\n"},
                                                {"y.conf", "PermitRootLogin yes\n"}}, {0}, false},
        {"an include that matches nothing is fine", CFG("Include /etc/ssh/nothing/*.conf none.conf\nMaxSessions 4\n"), {0}, false},
        {"glob in a directory component", {{"sshd_config", "Include conf.*/*.conf\n"},
                                           {"conf.b/x.conf", "MaxSessions 8\n"},
                                           {"conf.a/x.conf", "MaxSessions 6\n"}}, {0}, false},
        {"include loop is an error", {{"sshd_config", "Include loop.conf\n"}, {"loop.conf", "Include loop.conf\n"}}, {0}, true},
        {"include inside Match does not apply", {{"sshd_config", "Match User bob\nInclude m.conf\n"},
                                                 {"m.conf", "PermitRootLogin yes\nX11Forwarding yes\n"}}, {0}, false},
        {"Match in an included file ends with the file", {{"sshd_config", "Include m.conf\nPermitRootLogin yes\n"},
                                                         {"m.conf", "Match User bob\nX11Forwarding yes\n"}}, {0}, false},
        {"Match blocks do not change the global output", CFG("Match User bob\n  PasswordAuthentication yes\n  PermitRootLogin yes\n"
                                                             "Match Group g Address 10.0.0.0/8\n  X11Forwarding yes\n"), {0}, false},
        {"Match all applies", CFG("Match User x\nMaxSessions 2\nMatch all\nMaxSessions 3\nPermitRootLogin no\n"), {0}, false},
        {"Match with a bad criterion", CFG("Match Color blue\nPermitRootLogin yes\n"), {0}, true},
        {"Match without criteria value", CFG("PermitRootLogin no\nMatch User\n"), {0}, true},
        {"Match all combined", CFG("Match all User x\n"), {0}, true},
        {"Match address with a bad mask", CFG("Match Address 10.0.0.0/33\n"), {0}, true},
        {"global-only keyword inside Match", CFG("Match User x\n  Port 2222\n"), {0}, true},
        {"global-only keyword in a file included by Match", {{"sshd_config", "Match User x\nInclude p.conf\n"}, {"p.conf", "ListenAddress 1.2.3.4\n"}}, {0}, true},
        {"bad value inside Match is still an error", CFG("Match User x\n  PermitRootLogin maybe\n"), {0}, true},
        {"unknown keyword", CFG("PermitRootLogin no\nFrobnicate yes\n"), {0}, true},
        {"unknown keyword in a drop-in", {{"sshd_config", "Include sshd_config.d/*.conf\n"}, {"sshd_config.d/a.conf", "\n\nNoSuchThing 1\n"}}, {0}, true},
        {"bad flag value", CFG("PasswordAuthentication maybe\n"), {0}, true},
        {"missing argument", CFG("MaxAuthTries 3\nPermitRootLogin\n"), {0}, true},
        {"extra arguments", CFG("PermitRootLogin yes no\n"), {0}, true},
        {"unterminated quote", CFG("AllowUsers \"bob\n"), {0}, true},
        {"bad time value", CFG("LoginGraceTime 1x\n"), {0}, true},
        {"bad integer", CFG("MaxAuthTries -1\n"), {0}, true},
        {"bad port", CFG("Port 70000\n"), {0}, true},
        {"bad log level", CFG("LogLevel LOUD\n"), {0}, true},
        {"comment glued to a value", CFG("PermitRootLogin=yes#c\n"), {0}, true},
        {"time values", CFG("LoginGraceTime 1h30s\nClientAliveInterval 5M\nClientAliveCountMax 0\n"), {0}, false},
        {"time in weeks and bare seconds", CFG("LoginGraceTime 1w\nClientAliveInterval 45\n"), {0}, false},
        {"aliases", CFG("ChallengeResponseAuthentication no\nDSAAuthentication no\nKeepAlive no\n"), {0}, false},
        {"alias after the keyword loses", CFG("KbdInteractiveAuthentication yes\nSkeyAuthentication no\n"), {0}, false},
        {"deprecated and unsupported keywords warn", CFG("UsePrivilegeSeparation sandbox\nKerberosTgtPassing no\nProtocol 2\nRSAAuthentication no\nPermitRootLogin no\n"), {0}, false},
        {"listen addresses with and without ports", CFG("ListenAddress 1.2.3.4\nPort 2200\nListenAddress [::1]:2222\nPort 22\n"
                                                         "ListenAddress 5.6.7.8:99\nListenAddress ::2\n"), {0}, false},
        {"listen address with a slash is refused", CFG("ListenAddress 10.0.0.1/23\n"), {0}, true},
        {"several ports without listen addresses", CFG("Port 22\nPort 2200\n"), {0}, false},
        {"AddressFamily inet", CFG("AddressFamily inet\nPort 2022\n"), {0}, false},
        {"AddressFamily inet6 with an address", CFG("ListenAddress ::1\nAddressFamily inet6\n"), {0}, false},
        {"address family mismatch", CFG("AddressFamily inet\nListenAddress ::1\n"), {0}, true},
        {"listen address with a bad port", CFG("ListenAddress 1.2.3.4:0\n"), {0}, true},
        {"command line -o and -p count before the file", CFG("Port 22\nPermitRootLogin no\nPasswordAuthentication no\n"),
         {"-o", "PermitRootLogin=yes", "-p", "2201", "-oPasswordAuthentication yes", NULL}, false},
        {"-p overrides Port lines, -o Port before -p counts", CFG("Port 22\n"), {"-o", "Port=2200", "-p2201", NULL}, false},
        {"-f picks another file", {{"sshd_config", "PermitRootLogin yes\n"}, {"alt_config", "PermitRootLogin no\nMaxSessions 2\n"}},
         {"-f", "/etc/ssh/alt_config", NULL}, false},
        {"-4 restricts the address family", CFG("Port 2022\n"), {"-4", NULL}, false},
        {"bad -o value", CFG(""), {"-o", "MaxAuthTries=x", NULL}, true},
        {"multi-state spellings", CFG("PermitRootLogin prohibit-password\nIgnoreRhosts shosts-only\nGatewayPorts clientspecified\n"
                                      "AllowTcpForwarding all\nPermitTunnel point-to-point\nPermitUserEnvironment LANG,LC_*\n"), {0}, false},
        {"more multi-state spellings", CFG("PermitRootLogin forced-commands-only\nAllowTcpForwarding local\nPermitTunnel ethernet\n"
                                           "PermitUserEnvironment yes\nGatewayPorts yes\nAllowAgentForwarding no\nHostbasedAuthentication yes\nIgnoreRhosts no\n"), {0}, false},
        {"PermitTunnel is case-sensitive", CFG("PermitTunnel Yes\n"), {0}, true},
        {"LogLevel DEBUG1 prints as DEBUG", CFG("LogLevel debug1\n"), {0}, false},
        {"AuthorizedKeysCommand needs a user", CFG("AuthorizedKeysCommand /usr/bin/keys\n"), {0}, true},
        {"AuthorizedKeysCommand must be absolute", CFG("AuthorizedKeysCommand keys\nAuthorizedKeysCommandUser nobody\n"), {0}, true},
        {"AuthorizedKeysCommand none", CFG("AuthorizedKeysCommand NONE\n"), {0}, false},
        {"access lists accumulate", CFG("AllowUsers a b\nAllowUsers c\nDenyUsers root@10.0.0.0/8\nAllowGroups g1\nDenyGroups wheel x\n"), {0}, false},
        {"access lists only outside Match", CFG("AllowUsers a\nMatch User z\nAllowUsers b\nDenyUsers c\n"), {0}, false},
        {"listen address with rdomain syntax error", CFG("ListenAddress 1.2.3.4 vrf\n"), {0}, true},
        {"includes nested 16 deep are allowed", {{"sshd_config", "Include chain/2.conf\n"},
{"chain/2.conf", "Include chain/3.conf\n"},
{"chain/3.conf", "Include chain/4.conf\n"},
{"chain/4.conf", "Include chain/5.conf\n"},
{"chain/5.conf", "Include chain/6.conf\n"},
{"chain/6.conf", "Include chain/7.conf\n"},
{"chain/7.conf", "Include chain/8.conf\n"},
{"chain/8.conf", "Include chain/9.conf\n"},
{"chain/9.conf", "Include chain/10.conf\n"},
{"chain/10.conf", "Include chain/11.conf\n"},
{"chain/11.conf", "Include chain/12.conf\n"},
{"chain/12.conf", "Include chain/13.conf\n"},
{"chain/13.conf", "Include chain/14.conf\n"},
{"chain/14.conf", "Include chain/15.conf\n"},
{"chain/15.conf", "Include chain/16.conf\n"},
{"chain/16.conf", "Include chain/17.conf\n"},
{"chain/17.conf", "PermitRootLogin no\n"}}, {0}, false},
        {"includes nested 17 deep are refused", {{"sshd_config", "Include chain/1.conf\n"},
{"chain/1.conf", "Include chain/2.conf\n"},
{"chain/2.conf", "Include chain/3.conf\n"},
{"chain/3.conf", "Include chain/4.conf\n"},
{"chain/4.conf", "Include chain/5.conf\n"},
{"chain/5.conf", "Include chain/6.conf\n"},
{"chain/6.conf", "Include chain/7.conf\n"},
{"chain/7.conf", "Include chain/8.conf\n"},
{"chain/8.conf", "Include chain/9.conf\n"},
{"chain/9.conf", "Include chain/10.conf\n"},
{"chain/10.conf", "Include chain/11.conf\n"},
{"chain/11.conf", "Include chain/12.conf\n"},
{"chain/12.conf", "Include chain/13.conf\n"},
{"chain/13.conf", "Include chain/14.conf\n"},
{"chain/14.conf", "Include chain/15.conf\n"},
{"chain/15.conf", "Include chain/16.conf\n"},
{"chain/16.conf", "Include chain/17.conf\n"},
{"chain/17.conf", "PermitRootLogin no\n"}}, {0}, true},
        {"ports by service name", CFG("Port ssh\nPort nwalt\nListenAddress 1.2.3.4:nw-alt\n"), {0}, false},
        {"Match criteria with = and a comment", CFG("Match user=a Group = b\nPermitRootLogin yes\nMatch all # back to global\nMaxSessions 4\n"), {0}, false},
        {"AllowUsers with a bad network", CFG("AllowUsers ok@10.0.0.0/8 bad@10.0.0.1/8\n"), {0}, true},
        {"empty AllowGroups pattern", CFG("AllowGroups \"\"\n"), {0}, true},
        {"numeric address forms", CFG("ListenAddress [1.2.3.4]:2200\nListenAddress 127.1\nListenAddress fe80::0:1%lo\n"), {0}, false},
        {"listen address by name from /etc/hosts", CFG("ListenAddress localhost\nListenAddress node-a:2222\n"), {0}, false},
        {"listen address name with AddressFamily inet6", CFG("AddressFamily inet6\nListenAddress ip6-localhost:2200\n"), {0}, false},
        {"listen address with an empty port", CFG("ListenAddress 1.2.3.4:\n"), {0}, true},
        {"deprecated global keyword inside Match", CFG("Match User x\nUseLogin no\n"), {0}, true},
        {"deprecated Match-able keyword inside Match", CFG("Match User x\nRSAAuthentication no\nAuthorizedKeysFile2 x\n"), {0}, false},
        {"relative AuthorizedKeysCommand inside an inactive Match", CFG("Match User x\nAuthorizedKeysCommand keys\n"), {0}, true},
        {"relative AuthorizedKeysCommand after an absolute one", CFG("AuthorizedKeysCommand /k\nAuthorizedKeysCommand k\nAuthorizedKeysCommandUser u\n"), {0}, true},
        {"AuthorizedKeysCommand keeps the raw rest of the line", CFG("AuthorizedKeysCommand /x  %u # c\nAuthorizedKeysCommandUser u\n"), {0}, false},
        {"PermitUserEnvironment Yes is a pattern", CFG("PermitUserEnvironment Yes\n"), {0}, false},
        {"empty Include argument", CFG("Include \"\"\n"), {0}, true},
        {"blank and comment-only lines", CFG("  # only a comment\n\n\t\n#\nPort 22 # c\n"), {0}, false},
        {"bracketed IPv6 without port", CFG("ListenAddress [::1]\nPort 2200\n"), {0}, false},
        {"unterminated bracket", CFG("ListenAddress [::1\n"), {0}, true},
        {"quoted values and = with quotes", CFG("AllowUsers=\"a b\"\nPermitRootLogin  \"no\"\nMaxStartups 10:30:60\nSubsystem sftp internal-sftp\n"), {0}, false},
        {"unrecorded integer keyword is validated", CFG("X11DisplayOffset x\n"), {0}, true},
        {"unrecorded multi-state keyword is validated", CFG("Compression maybe\n"), {0}, true},
        {"multi-state values in any case", CFG("GatewayPorts CLIENTSPECIFIED\nAllowTcpForwarding All\nIgnoreRhosts Shosts-Only\nCompression delayed\n"), {0}, false},
        {"zero grace time and too large count", CFG("LoginGraceTime 0\nClientAliveCountMax 2147483648\n"), {0}, true},
        {"glob with ? and brackets", {{"sshd_config", "Include d/?[ab].conf\n"}, {"d/xa.conf", "MaxSessions 3\n"},
                                      {"d/xb.conf", "MaxSessions 4\nMaxAuthTries 2\n"}, {"d/xc.conf", "MaxAuthTries 1\n"}}, {0}, false},
        {"an included directory reads as empty", {{"sshd_config", "Include sshd_config.d\nInclude sshd_config.d/\nMaxSessions 3\n"},
                                                  {"sshd_config.d/a.conf", "MaxSessions 2\n"}}, {0}, false},
        {"a trailing slash matches directories only", {{"sshd_config", "Include sshd_config.d/*/\nInclude //etc//ssh/x.conf\n"},
                                                       {"sshd_config.d/a.conf", "MaxSessions 2\n"}, {"sshd_config.d/sub/b.conf", "MaxSessions 5\n"},
                                                       {"x.conf", "MaxAuthTries 3\n"}}, {0}, false},
        {"Match all inside a file included from a Match never applies", {{"sshd_config", "Match User x\nInclude m.conf\nMaxSessions 2\nMatch all\nMaxAuthTries 3\n"},
                                                                        {"m.conf", "Match all\nPermitRootLogin yes\n"}}, {0}, false},
        {"Debian default config with a drop-in",
         {{"sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n\n#Port 22\n#AddressFamily any\n#ListenAddress 0.0.0.0\n"
                          "KbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\n"
                          "AcceptEnv LANG LC_*\nSubsystem\tsftp\t/usr/lib/openssh/sftp-server\n"},
          {"sshd_config.d/60-hardening.conf", "PermitRootLogin no\nPasswordAuthentication no\nX11Forwarding no\nMaxAuthTries 3\n"}}, {0}, false},
};
/* clang-format on */

static char *hostkey_dir;
static char unshare_error[512];

static int setup(void **state)
{
        (void)state;
        if (access(SSHD, X_OK) != 0 || access("/usr/bin/unshare", X_OK) != 0)
                return 0;
        /* sshd -T runs in a private mount namespace; without one there is nothing to compare. */
        char *argv[] = {"/usr/bin/unshare", "-m", "--propagation", "private", "true", NULL}, *err = NULL;
        if (tu_run(argv, NULL, &err) != 0) {
                snprintf(unshare_error, sizeof(unshare_error), "%s", err ? err : "");
                free(err);
                return 0;
        }
        free(err);
        hostkey_dir = strdup("/tmp/nw-sshd-diff-hk.XXXXXX");
        assert_non_null(mkdtemp(hostkey_dir));
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "ssh-keygen -q -t ed25519 -N '' -f %s/hk >/dev/null 2>&1", hostkey_dir);
        if (system(cmd) != 0) {
                tu_rm_rf(hostkey_dir);
                free(hostkey_dir);
                hostkey_dir = NULL;
        }
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        tu_rm_rf(hostkey_dir);
        free(hostkey_dir);
        return 0;
}

/* sshd sees the case's etc/ssh bind-mounted over /etc/ssh in a private mount namespace,
 * so both tools resolve the same /etc/ssh paths; /run/sshd is a private tmpfs. The case's
 * hosts and services come through a read-only overlay over /etc rather than bind mounts
 * onto the host's files, which a minimal image does not have (no /etc/hosts, no netbase). */
static int run_sshd(const char *root, const struct dcase *c, char **out, char **err)
{
        char etc[4096], hk[4096];
        snprintf(etc, sizeof(etc), "%s/etc/ssh", root);
        snprintf(hk, sizeof(hk), "%s/hk", hostkey_dir);
        char *argv[32] = {
                "/usr/bin/unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount -t tmpfs nw-sshd-run /run && mkdir -p /run/sshd && "
                "mount -t overlay nw-sshd-etc -o \"lowerdir=$0/..:/etc\" /etc && mount --bind \"$0\" /etc/ssh && "
                "hk=\"$1\"; shift; exec " SSHD " -T -f /etc/ssh/sshd_config -h \"$hk\" \"$@\"",
                etc,
                hk};
        int n = 9;
        for (size_t i = 0; i < 8 && c->args[i]; i++)
                argv[n++] = (char *)c->args[i];
        argv[n] = NULL;
        return tu_run(argv, out, err);
}

static int run_nodeward(const char *root, char **out, char **err)
{
        char *argv[] = {(char *)tu_nodeward(), "explain", "sshd", "--root", (char *)root, NULL};
        return tu_run(argv, out, err);
}

static void write_case(const char *root, const struct dcase *c)
{
        for (int i = 0; i < MAX_FILES && c->files[i][0]; i++) {
                char rel[512];
                snprintf(rel, sizeof(rel), "etc/ssh/%.400s", c->files[i][0]);
                tu_write(root, rel, c->files[i][1]);
        }
        /* sshd sees these two through bind mounts, nodeward under --root. */
        tu_write(root, "etc/services", "ssh\t\t22/tcp\nnw-alt\t\t2022/tcp\tnwalt\n");
        tu_write(root, "etc/hosts",
                 "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n10.9.8.7\tnode-a.internal node-a\n");
        if (c->args[0]) {
                const char *argv[12] = {"/usr/sbin/sshd", "-D"};
                int n = 2;
                for (int i = 0; i < 8 && c->args[i]; i++)
                        argv[n++] = c->args[i];
                argv[n] = NULL;
                tu_write_proc(root, 321, "sshd", argv);
        }
}

/* sshd's lines for the keywords nodeward printed, in sshd's order. */
static char *filter(const char *sshd_out, const char *nw_out)
{
        size_t cap = strlen(sshd_out) + 1, len = 0;
        char *res = calloc(1, cap);
        for (const char *l = sshd_out; *l;) {
                const char *nl = strchr(l, '\n');
                size_t ll = nl ? (size_t)(nl - l) + 1 : strlen(l);
                size_t kl = strcspn(l, " \n");
                bool keep = false;
                for (const char *m = nw_out; *m && !keep;) {
                        if (strncmp(m, l, kl) == 0 && m[kl] == ' ')
                                keep = true;
                        const char *mn = strchr(m, '\n');
                        m = mn ? mn + 1 : m + strlen(m);
                }
                if (keep) {
                        memcpy(res + len, l, ll);
                        len += ll;
                }
                l += ll;
        }
        return res;
}

/* nodeward's "FILE line N:" must be one of the places sshd names (when sshd names any). */
static bool errors_agree(const struct dcase *c, const char *nw_err, const char *sshd_err)
{
        const char *p = strstr(nw_err, " line ");
        if (!p) {
                printf("case \"%s\": nodeward error has no FILE line N: %s\n", c->name, nw_err);
                return false;
        }
        const char *start = p;
        while (start > nw_err && start[-1] != '\n')
                start--;
        unsigned line = (unsigned)atoi(p + 6);
        char file[1024], want1[1100], want2[1100], want3[64];
        snprintf(file, sizeof(file), "%.*s", (int)(p - start), start);
        snprintf(want1, sizeof(want1), "%s line %u:", file, line);
        snprintf(want2, sizeof(want2), "%s: line %u:", file, line);
        snprintf(want3, sizeof(want3), "at line %u", line);
        if (strstr(sshd_err, " line ") && !strstr(sshd_err, want1) && !strstr(sshd_err, want2) &&
            !strstr(sshd_err, want3)) {
                printf("case \"%s\": nodeward says \"%s\", sshd says: %s\n", c->name, nw_err, sshd_err);
                return false;
        }
        return true;
}

static void test_sshd_T_agrees(void **state)
{
        (void)state;
        if (unshare_error[0])
                fail_msg("sshd -T runs in a private mount namespace, and unshare -m failed "
                         "(needs root and CAP_SYS_ADMIN): %s",
                         unshare_error);
        if (!hostkey_dir)
                fail_msg("%s, unshare or ssh-keygen missing: run make deps (openssh-server)", SSHD);
        assert_true(ARRAY_SIZE(cases) >= 40);
        int bad = 0;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const struct dcase *c = &cases[i];
                char *root = tu_mkdtemp();
                write_case(root, c);
                char *so, *se, *no, *ne;
                int src = run_sshd(root, c, &so, &se);
                int nrc = run_nodeward(root, &no, &ne);
                if ((src != 0) != c->fails)
                        fail_msg("case \"%s\": sshd exit %d, the case expects %s: %s", c->name, src,
                                 c->fails ? "failure" : "success", se);
                if (c->fails) {
                        if (nrc != 2) {
                                printf("case \"%s\": nodeward exit %d, want 2\n", c->name, nrc);
                                bad++;
                        } else if (!errors_agree(c, ne, se)) {
                                bad++;
                        }
                } else {
                        char *want = filter(so, no);
                        if (nrc != 0 || strcmp(want, no) != 0) {
                                printf("case \"%s\": nodeward (exit %d):\n%s%s--- sshd -T:\n%s\n", c->name, nrc, no, ne,
                                       want);
                                bad++;
                        }
                        free(want);
                }
                free(so);
                free(se);
                free(no);
                free(ne);
                tu_rm_rf(root);
                free(root);
        }
        printf("%zu cases compared with sshd -T, %d disagreed\n", ARRAY_SIZE(cases), bad);
        assert_int_equal(bad, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sshd_T_agrees),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
