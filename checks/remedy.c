/* remedy: the remediation of a failed check, naming where this node sets the value.
 *
 * Where a kubelet value is changed depends on who writes the kubelet's files:
 * - AL2 EKS AMI: /etc/eks/bootstrap.sh writes the config file from the AMI's
 *   template and passes --kubelet-extra-args to the kubelet (awslabs/amazon-eks-ami,
 *   templates/al2/runtime/bootstrap.sh);
 * - AL2023 EKS AMI: nodeadm writes config.json and a drop-in from the NodeConfig's
 *   spec.kubelet.config, and flags from spec.kubelet.flags (amazon-eks-ami,
 *   nodeadm/api/v1alpha1/nodeconfig_types.go; doc/api.md "KubeletOptions");
 * - Bottlerocket: settings.kubernetes.* rendered into the kubelet-config template
 *   (bottlerocket-os/bottlerocket-core-kit at a10182f974abd19de803bb7a324b5a0bdeab4ced,
 *   packages/kubernetes-1.31/kubelet-config and kubelet-exec-start-conf);
 * - kubeadm: the KubeletConfiguration in the kubelet-config ConfigMap, written to
 *   /var/lib/kubelet/config.yaml, and nodeRegistration.kubeletExtraArgs written to
 *   /var/lib/kubelet/kubeadm-flags.env (kubernetes.io "Configuring each kubelet in
 *   your cluster using kubeadm").
 * sshd keeps the first value it reads for a keyword, globally and per Match block
 * (OpenSSH servconf.c; sshd_config(5)), so the place that sets it is named by file,
 * line and Match block. */
#define _GNU_SOURCE
#include "remedy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sshd/sshd_config.h"
#include "base/util.h"
#include "collect/facts.h"

static bool str_eq(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

enum node_flavour remedy_flavour(const struct facts *f)
{
        const struct node_info *n = &f->node;
        if (str_eq(n->os_id, "bottlerocket"))
                return FLAVOUR_BOTTLEROCKET;
        const struct kubelet_facts *k = &f->kubelet;
        if ((f->collected & FACT_KUBELET) && k->found && k->found_by &&
            (strstr(k->found_by, "10-kubeadm.conf") ||
             (k->config.path && strstr(k->config.path, "/var/lib/kubelet/config.yaml"))))
                return FLAVOUR_KUBEADM;
        if (str_eq(n->os_id, "amzn") && str_eq(n->os_version_id, "2023"))
                return FLAVOUR_AL2023;
        if (str_eq(n->os_id, "amzn") && str_eq(n->os_version_id, "2"))
                return FLAVOUR_AL2;
        return FLAVOUR_OTHER;
}

const char *remedy_flavour_name(enum node_flavour fl)
{
        switch (fl) {
        case FLAVOUR_AL2: return "EKS AMI on Amazon Linux 2 (bootstrap.sh)";
        case FLAVOUR_AL2023: return "EKS AMI on Amazon Linux 2023 (nodeadm)";
        case FLAVOUR_BOTTLEROCKET: return "Bottlerocket";
        case FLAVOUR_KUBEADM: return "kubeadm";
        case FLAVOUR_OTHER: break;
        }
        return "other";
}

const cJSON *remedy_fix_value(const cJSON *fix, const char *dotted_path)
{
        if (!fix || !dotted_path)
                return NULL;
        const cJSON *cur = fix;
        const char *p = dotted_path;
        while (cur && *p) {
                size_t n = strcspn(p, ".");
                char key[128];
                if (n >= sizeof(key))
                        return NULL;
                memcpy(key, p, n);
                key[n] = '\0';
                cur = cJSON_GetObjectItemCaseSensitive(cur, key);
                p += n + (p[n] == '.');
        }
        return cur;
}

/* A JSON value as a config shows it, and as a flag takes it (strings bare, lists comma-joined). */
static char *json_text(const cJSON *v, bool as_flag)
{
        if (as_flag && cJSON_IsString(v))
                return xstrdup(v->valuestring);
        if (cJSON_IsArray(v)) {
                struct strbuf sb = {0};
                const cJSON *e;
                if (!as_flag)
                        sb_putc(&sb, '[');
                cJSON_ArrayForEach(e, v) sb_printf(&sb, "%s%s", sb.len > !as_flag ? (as_flag ? "," : ", ") : "",
                                                   cJSON_IsString(e) ? e->valuestring : "?");
                if (!as_flag)
                        sb_putc(&sb, ']');
                return sb_steal(&sb);
        }
        char *t = cJSON_PrintUnformatted(v);
        return t ? t : xstrdup("?");
}

/* Where a config value is set on this flavour; @path/@want the field and value. */
static void kubelet_config_place(struct strbuf *sb, enum node_flavour fl, const struct kubelet_facts *k,
                                 const char *path, const char *want, const char *flag, const char *want_flag,
                                 const char *br)
{
        switch (fl) {
        case FLAVOUR_AL2023:
                sb_printf(sb,
                          "set spec.kubelet.config.%s: %s in the NodeConfig nodeadm reads (user data), "
                          "or add a drop-in to %s that sorts last (nodeward fix --dry-run writes one)",
                          path, want, k->config_dir ? k->config_dir : "/etc/kubernetes/kubelet/config.json.d");
                break;
        case FLAVOUR_AL2:
                sb_printf(sb,
                          "set %s: %s in %s in the AMI build (bootstrap.sh rewrites it at boot), or pass "
                          "--kubelet-extra-args '--%s=%s' to /etc/eks/bootstrap.sh",
                          path, want, k->config.path ? k->config.path : "/etc/kubernetes/kubelet/kubelet-config.json",
                          flag ? flag : "?", want_flag);
                break;
        case FLAVOUR_BOTTLEROCKET:
                if (br)
                        sb_printf(sb, "set %s through the Bottlerocket API (apiclient set, or user data TOML)", br);
                else
                        sb_printf(sb,
                                  "Bottlerocket exposes no setting for %s (its kubelet-config template decides "
                                  "it): a different value means the host was changed outside the API; replace it",
                                  path);
                break;
        case FLAVOUR_KUBEADM:
                sb_printf(sb,
                          "set %s: %s in the KubeletConfiguration of the kubeadm config (the kubelet-config "
                          "ConfigMap in kube-system), then run kubeadm upgrade node phase kubelet-config",
                          path, want);
                break;
        case FLAVOUR_OTHER:
                if (k->config_dir)
                        sb_printf(sb, "set %s: %s in a drop-in in %s that sorts last", path, want, k->config_dir);
                else if (k->has_config && k->config.path)
                        sb_printf(sb, "set %s: %s in %s", path, want, k->config.path);
                else
                        sb_printf(sb, "pass --%s=%s to the kubelet", flag ? flag : "?", want_flag);
                break;
        }
}

static void kubelet_flag_place(struct strbuf *sb, enum node_flavour fl, const struct kubelet_facts *k, const char *flag,
                               const char *br)
{
        switch (fl) {
        case FLAVOUR_AL2:
                sb_printf(sb,
                          "remove --%s from --kubelet-extra-args in the user data that runs /etc/eks/bootstrap.sh "
                          "(it lands in KUBELET_EXTRA_ARGS)",
                          flag);
                break;
        case FLAVOUR_AL2023:
                sb_printf(sb,
                          "remove --%s from the NodeConfig's spec.kubelet.flags (nodeadm writes them to "
                          "/etc/eks/kubelet/environment)",
                          flag);
                break;
        case FLAVOUR_BOTTLEROCKET:
                sb_printf(sb,
                          br ? "change %s"
                             : "Bottlerocket passes no --%s of its own: find what changed its kubelet unit",
                          br ? br : flag);
                break;
        case FLAVOUR_KUBEADM:
                sb_printf(sb,
                          "remove --%s from nodeRegistration.kubeletExtraArgs (written to "
                          "/var/lib/kubelet/kubeadm-flags.env) or KUBELET_EXTRA_ARGS in /etc/default/kubelet",
                          flag);
                break;
        case FLAVOUR_OTHER:
                sb_printf(sb,
                          "remove --%s from the kubelet's command line (%s: its unit, EnvironmentFile or "
                          "/etc/sysconfig/kubelet)",
                          flag, k->found_by ? k->found_by : "kubelet");
                break;
        }
}

static char *kubelet_remedy(const struct facts *f, const struct result *r, enum kfield id)
{
        const struct kubelet_facts *k = &f->kubelet;
        if (!(f->collected & FACT_KUBELET) || !k->found)
                return NULL;
        const struct kfield_def *d = &kfield_defs[id];
        const struct kfield_value *fv = &k->f[id];
        enum node_flavour fl = remedy_flavour(f);
        const char *br = r->check->bottlerocket;
        cJSON *fix = r->check->fix ? cJSON_Parse(r->check->fix) : NULL;
        const cJSON *wantv = remedy_fix_value(fix, d->path);
        _cleanup_free_ char *want = wantv ? json_text(wantv, false) : NULL;
        _cleanup_free_ char *want_flag = wantv ? json_text(wantv, true) : NULL;
        struct strbuf sb = {0};
        if (fv->source == KSRC_FLAG) {
                sb_printf(&sb,
                          "--%s on the kubelet command line sets it, and a flag beats the config file and every "
                          "drop-in: ",
                          d->flag);
                kubelet_flag_place(&sb, fl, k, d->flag, br);
                if (d->path && want)
                        sb_printf(&sb, "; then %s: %s from the config applies", d->path, want);
                sb_puts(&sb, ".");
        } else if (d->path && want) {
                if (fv->source == KSRC_DROPIN || fv->source == KSRC_FILE)
                        sb_printf(&sb, "%s comes from %s: ", d->path, fv->origin ? fv->origin : "the config");
                else
                        sb_printf(&sb, "%s is not set (the kubelet's default applies): ", d->path);
                if (fv->source == KSRC_DROPIN && fl != FLAVOUR_BOTTLEROCKET && fl != FLAVOUR_KUBEADM &&
                    !(fv->origin && strstr(fv->origin, "nodeadm")))
                        sb_printf(&sb, "change it to %s in that drop-in, or ", want);
                kubelet_config_place(&sb, fl, k, d->path, want, d->flag, want_flag, br);
                sb_puts(&sb, ".");
        } else if (!d->path && fl == FLAVOUR_BOTTLEROCKET && br) {
                sb_printf(&sb, "Change %s.", br);
        }
        cJSON_Delete(fix);
        return sb.len ? sb_steal(&sb) : NULL;
}

/* For each "Keyword value" line of the fix: where the value now comes from. */
static char *sshd_remedy(const struct facts *f, const struct result *r)
{
        const struct sshd_config *c = &f->sshd.cfg;
        if (!(f->collected & FACT_SSHD) || !c->found || c->error || !r->check->fix)
                return NULL;
        struct strbuf sb = {0};
        _cleanup_free_ char *lines = xstrdup(r->check->fix);
        char *save = NULL;
        for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char kw[64];
                if (sscanf(l, "%63s", kw) != 1)
                        continue;
                struct sshd_keyword k;
                if (sshd_keyword_find(kw, &k) < 0 || k.opt < 0)
                        continue;
                const struct sshd_value *v = &c->s.v[k.opt];
                _cleanup_free_ char *cur = sshd_value_text(k.opt, v);
                const char *want = l + strlen(kw) + strspn(l + strlen(kw), " \t");
                bool ok = cur && strcasecmp(cur, want) == 0;
                if (!ok && v->set && v->file)
                        sb_printf(&sb,
                                  "%s%s line %u sets %s %s; sshd keeps the first value it reads, so put \"%s\" "
                                  "ahead of it (a file that sorts first in the included directory, or above that line)",
                                  sb.len ? ". " : "", v->file, v->line, kw, cur ? cur : "?", l);
                else if (!ok)
                        sb_printf(&sb, "%s%s is not set (sshd's default %s): add \"%s\"", sb.len ? ". " : "", kw,
                                  cur ? cur : "?", l);
                for (size_t i = 0; i < c->n_matches; i++) {
                        const struct sshd_match *m = &c->matches[i];
                        const struct sshd_value *mv = sshd_match_value(m, k.opt);
                        if (!mv)
                                continue;
                        _cleanup_free_ char *mt = sshd_value_text(k.opt, mv);
                        if (mt && strcasecmp(mt, want) == 0)
                                continue;
                        sb_printf(&sb,
                                  "%sthe Match %s block (%s line %u) sets %s %s for its connections: change it "
                                  "there, or repeat \"%s\" under the same Match line in a file read before it",
                                  sb.len ? "; " : "", m->criteria, m->file ? m->file : "?", m->line, kw, mt ? mt : "?",
                                  l);
                }
        }
        if (!sb.len)
                return NULL;
        sb_puts(&sb, ".");
        return sb_steal(&sb);
}

char *remedy_text(const struct facts *f, const struct result *r)
{
        if (r->status != ST_FAIL && r->status != ST_WARN)
                return NULL;
        int field = check_kfield(r->check);
        if (field >= 0)
                return kubelet_remedy(f, r, (enum kfield)field);
        if (str_startswith(r->check->id, "ssh."))
                return sshd_remedy(f, r);
        return NULL;
}
