/* kubelet_resolve: each checked field's effective value and where it came from, by the kubelet's own rules. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdoc.h"
#include "collect/kubelet/kubelet_internal.h"
#include "base/util.h"

/*
 * The order the kubelet builds its configuration in (kubernetes cmd/kubelet/app/server.go):
 *  1. the --config file is decoded into v1beta1 and defaulted (SetDefaults_KubeletConfiguration);
 *     null reads as absent there; without --config the legacy flag defaults stand instead;
 *  2. mergeKubeletConfigurations marshals that, already defaulted, with the internal type's Go
 *     field names ("ReadOnlyPort"), merge-patches every drop-in (v1beta1 names, "readOnlyPort")
 *     onto it in walk order and json.Unmarshals the result over the same struct. The drop-ins
 *     therefore only meet each other in the merge patch: a null removes what an earlier drop-in
 *     said, never the file's value, and nothing is defaulted again (a drop-in's 0s stays 0);
 *  3. kubeletConfigFlagPrecedence parses the command line over the result, after defaulting.
 */

static bool type_ok(enum ktype t, const cJSON *v)
{
        long long ns;
        switch (t) {
        case KT_BOOL: return cJSON_IsBool(v);
        case KT_INT: return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
        case KT_STRING: return cJSON_IsString(v);
        case KT_DURATION: return cJSON_IsString(v) && go_duration_ns(v->valuestring, &ns) == 0;
        case KT_STRINGLIST:
                if (!cJSON_IsArray(v))
                        return false;
                for (const cJSON *c = v->child; c; c = c->next)
                        if (!cJSON_IsString(c))
                                return false;
                return true;
        case KT_MAP_BOOL: return cJSON_IsObject(v);
        }
        return false;
}

static const char *type_name(enum ktype t)
{
        static const char *const n[] = {"a boolean",  "an integer",        "a string",
                                        "a duration", "a list of strings", "a map"};
        return n[t];
}

/* Go's zero value for a field of this type: what "if obj.X == zero" defaulting replaces. */
static bool is_go_zero(enum ktype t, const cJSON *v)
{
        long long ns;
        switch (t) {
        case KT_INT: return cJSON_IsNumber(v) && v->valuedouble == 0;
        case KT_STRING: return cJSON_IsString(v) && !*v->valuestring;
        case KT_DURATION: return cJSON_IsString(v) && go_duration_ns(v->valuestring, &ns) == 0 && ns == 0;
        case KT_BOOL: return cJSON_IsFalse(v);
        default: return false;
        }
}

static char *layer_label(const struct layer *l)
{
        switch (l->kind) {
        case KSRC_FLAG: return xstrdup("flag");
        case KSRC_DROPIN: return xasprintf("drop-in %s", l->origin);
        default: return xasprintf("config file %s", l->origin);
        }
}

/* A value as evidence shows it; the empty string visibly so. */
static char *shown(const cJSON *v)
{
        if (cJSON_IsString(v) && !*v->valuestring)
                return xstrdup("\"\"");
        return confdoc_value_str(v);
}

static void set_error(struct kfield_value *fv, char *msg)
{
        if (!fv->error)
                fv->error = msg;
        else
                free(msg);
}

static char *type_error(const char *label, const struct kfield_def *d, const cJSON *v)
{
        _cleanup_free_ char *s = shown(v);
        return xasprintf("%s: %s must be %s, found %s", label, d->path, type_name(d->type), s);
}

static char *blocked_error(const char *label, const struct kfield_def *d, const cJSON *v)
{
        _cleanup_free_ char *s = shown(v);
        return xasprintf("%s: found %s on the way to %s, where an object is needed", label, s, d->path);
}

static void take_value(struct kfield_value *fv, const cJSON *v, enum ksource src, char *origin)
{
        cJSON_Delete(fv->value);
        free(fv->origin);
        free(fv->default_reason);
        fv->value = cJSON_Duplicate(v, 1);
        fv->source = src;
        fv->origin = origin;
        fv->default_reason = NULL;
}

/* What the drop-ins did to one field, traced while they are merged. */
struct trace {
        bool present;  /* a drop-in's value is in the merged drop-ins now */
        int setter;    /* the layer that put it there */
        int prev;      /* the layer whose value the setter replaced, or -1 */
        int remover;   /* the layer whose null removed a drop-in's value, or -1 */
        int removed;   /* the layer whose value was removed */
        int idle_null; /* the last layer whose null found nothing to remove, or -1 */
};

static void trace_step(struct trace *t, const char *path, const cJSON *patch, const cJSON *merged, int i)
{
        const cJSON *v;
        enum confdoc_found p = confdoc_lookup(patch, path, &v);
        if (p == CONFDOC_VALUE || p == CONFDOC_BLOCKED) {
                t->prev = t->present ? t->setter : -1;
                t->setter = i;
                t->present = true;
                t->remover = -1;
                return;
        }
        if (!t->present) {
                if (p == CONFDOC_NULL)
                        t->idle_null = i;
                return;
        }
        enum confdoc_found m = confdoc_lookup(merged, path, &v);
        if (m == CONFDOC_VALUE || m == CONFDOC_BLOCKED)
                return;
        t->present = false;
        t->remover = i;
        t->removed = t->setter;
}

static const char *rule_text(enum kdefault_rule r)
{
        switch (r) {
        case KDEF_NONE: return "the kubelet has no default for it: Go's zero value";
        case KDEF_FEATURE_GATE: return "the feature gate's default";
        default: return "v1beta1 config-file default";
        }
}

/* The field's default, and why it applies. */
static void take_default(const struct kubelet_facts *k, enum kfield id, struct kfield_value *fv, enum confdoc_found st,
                         const char *file_label)
{
        const struct kfield_def *d = &kfield_defs[id];
        const char *def = k->has_config ? d->cfg_default : d->flag_default;
        if (!def) {
                fv->source = KSRC_UNSET;
                fv->origin = xstrdup("not set, no default");
                return;
        }
        fv->value = cJSON_Parse(def);
        fv->source = KSRC_DEFAULT;
        if (!k->has_config) {
                fv->origin = xstrdup("default (flag default: the kubelet runs without --config)");
                fv->default_reason = xstrdup("absent (no --config: the kubelet's flag default)");
        } else if (st == CONFDOC_NULL) {
                fv->origin = xasprintf("default (%s says null, which the kubelet reads as absent; %s)", file_label,
                                       rule_text(kfield_defs[id].rule));
                fv->default_reason = xstrdup("null in config file");
        } else {
                fv->origin = xasprintf("default (absent; %s)", rule_text(kfield_defs[id].rule));
                fv->default_reason = xstrdup("absent");
        }
}

/* Layer 1: the --config file with the kubelet's defaulting. *ret_said: what the file says. */
static void resolve_base(const struct kubelet_facts *k, enum kfield id, const struct layer *file,
                         struct kfield_value *fv, char **ret_said)
{
        const struct kfield_def *d = &kfield_defs[id];
        const cJSON *v = NULL;
        enum confdoc_found st = file ? confdoc_lookup(file->doc, d->path, &v) : CONFDOC_ABSENT;
        _cleanup_free_ char *lab = file ? layer_label(file) : NULL;
        if (st == CONFDOC_BLOCKED) {
                set_error(fv, blocked_error(lab, d, v));
                st = CONFDOC_ABSENT;
        }
        if (st != CONFDOC_VALUE) {
                take_default(k, id, fv, st, lab);
                return;
        }
        _cleanup_free_ char *s = shown(v);
        *ret_said = xasprintf("%s says %s", lab, s);
        if (!type_ok(d->type, v))
                set_error(fv, type_error(lab, d, v));
        if (!(kfield_defs[id].rule == KDEF_IF_ZERO && is_go_zero(d->type, v))) {
                take_value(fv, v, KSRC_FILE, xstrdup(lab));
                return;
        }
        fv->value = cJSON_Parse(d->cfg_default);
        fv->source = KSRC_DEFAULT;
        _cleanup_free_ char *dv = confdoc_value_str(fv->value);
        fv->origin = xasprintf("default (%s says %s; the kubelet replaces a zero %s with %s)", lab, s, d->path, dv);
        fv->default_reason = xstrdup("zero value replaced");
}

/* No drop-in's value is left: say what a null removed, or that it removed nothing. */
static void note_removal(enum kfield id, const struct trace *t, const struct layer *layers, struct kfield_value *fv)
{
        const struct kfield_def *d = &kfield_defs[id];
        if (t->remover < 0) {
                if (t->idle_null < 0 || fv->source != KSRC_FILE)
                        return;
                _cleanup_free_ char *nl = layer_label(&layers[t->idle_null]);
                free(fv->shadowed);
                fv->shadowed = xasprintf("null in %s leaves it: a drop-in's null only removes what an "
                                         "earlier drop-in set",
                                         nl);
                return;
        }
        _cleanup_free_ char *rl = layer_label(&layers[t->remover]);
        _cleanup_free_ char *sl = layer_label(&layers[t->removed]);
        const cJSON *old = confdoc_get(layers[t->removed].doc, d->path);
        _cleanup_free_ char *os = old ? shown(old) : xstrdup("value");
        char *note = xasprintf("null in %s removed %s from %s", rl, os, sl);
        if (fv->source != KSRC_DEFAULT) {
                free(fv->shadowed);
                fv->shadowed = note;
                return;
        }
        free(fv->origin);
        fv->origin = xasprintf("default (%s; the base configuration's default applies again)", note);
        free(fv->default_reason);
        fv->default_reason = xasprintf("null in %s removed it", rl);
        free(note);
}

/* Layer 2: the merged drop-ins, over the base without defaulting again. */
static void resolve_dropins(enum kfield id, const struct trace *t, const struct layer *layers, const cJSON *merged,
                            struct kfield_value *fv, char **said)
{
        const struct kfield_def *d = &kfield_defs[id];
        const cJSON *v;
        if (!t->present) {
                note_removal(id, t, layers, fv);
                return;
        }
        _cleanup_free_ char *lab = layer_label(&layers[t->setter]);
        enum confdoc_found st = confdoc_lookup(merged, d->path, &v);
        if (st == CONFDOC_BLOCKED) {
                set_error(fv, blocked_error(lab, d, v));
                return;
        }
        if (st != CONFDOC_VALUE)
                return;
        if (!type_ok(d->type, v))
                set_error(fv, type_error(lab, d, v));
        char *shadow = NULL;
        if (t->prev >= 0) {
                const cJSON *pv = confdoc_get(layers[t->prev].doc, d->path);
                _cleanup_free_ char *pl = layer_label(&layers[t->prev]);
                _cleanup_free_ char *ps = pv ? shown(pv) : xstrdup("something else");
                shadow = xasprintf("%s says %s", pl, ps);
        } else if (*said) {
                shadow = xstrdup(*said);
        }
        if (kfield_defs[id].rule == KDEF_IF_ZERO && is_go_zero(d->type, v)) {
                char *s2 = xasprintf("%s%sdrop-ins are merged after defaulting, so the zero value stays",
                                     shadow ? shadow : "", shadow ? "; " : "");
                free(shadow);
                shadow = s2;
        }
        take_value(fv, v, KSRC_DROPIN, xstrdup(lab));
        free(fv->shadowed);
        fv->shadowed = shadow;
        _cleanup_free_ char *s = shown(v);
        free(*said);
        *said = xasprintf("%s says %s", lab, s);
}

/* Layer 3: the command line, parsed over everything after defaulting. */
static void resolve_flags(enum kfield id, const struct layer *flags, struct kfield_value *fv, char **said)
{
        const struct kfield_def *d = &kfield_defs[id];
        const cJSON *v;
        if (!flags || confdoc_lookup(flags->doc, d->path, &v) != CONFDOC_VALUE)
                return;
        take_value(fv, v, KSRC_FLAG, xasprintf("flag --%s", d->flag ? d->flag : "feature-gates"));
        free(fv->shadowed);
        fv->shadowed = *said;
        *said = NULL;
        if (!type_ok(d->type, v)) {
                char *lab = xstrdup(fv->origin);
                set_error(fv, type_error(lab, d, v));
                free(lab);
        }
}

static void resolve_flag_only(const struct kfield_def *d, struct kfield_value *fv, const cJSON *flag_only)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(flag_only, d->flag);
        if (v) {
                fv->value = cJSON_Duplicate(v, 1);
                fv->source = KSRC_FLAG;
                fv->origin = xasprintf("flag --%s", d->flag);
        } else {
                fv->source = KSRC_UNSET;
                fv->origin = xstrdup("not set");
        }
}

void kubelet_resolve(struct kubelet_facts *k, const struct layer *layers, size_t nl, const cJSON *flag_only)
{
        const struct layer *file = NULL, *flags = NULL;
        size_t d0 = 0, d1 = nl;
        if (nl && layers[0].kind == KSRC_FILE) {
                file = &layers[0];
                d0 = 1;
        }
        if (nl > d0 && layers[nl - 1].kind == KSRC_FLAG) {
                flags = &layers[nl - 1];
                d1 = nl - 1;
        }
        struct trace tr[KF__COUNT];
        for (size_t f = 0; f < KF__COUNT; f++)
                tr[f] = (struct trace){false, -1, -1, -1, -1, -1};
        cJSON *merged = cJSON_CreateObject();
        for (size_t i = d0; i < d1; i++) {
                confdoc_merge_patch(merged, layers[i].doc);
                for (size_t f = 0; f < KF__COUNT; f++)
                        if (kfield_defs[f].path)
                                trace_step(&tr[f], kfield_defs[f].path, layers[i].doc, merged, (int)i);
        }
        for (size_t f = 0; f < KF__COUNT; f++) {
                const struct kfield_def *d = &kfield_defs[f];
                struct kfield_value *fv = &k->f[d->id];
                if (!d->path) {
                        resolve_flag_only(d, fv, flag_only);
                        continue;
                }
                char *said = NULL;
                resolve_base(k, d->id, file, fv, &said);
                resolve_dropins(d->id, &tr[f], layers, merged, fv, &said);
                resolve_flags(d->id, flags, fv, &said);
                free(said);
        }
        k->effective = file ? cJSON_Duplicate(file->doc, 1) : cJSON_CreateObject();
        confdoc_strip_nulls(k->effective);
        confdoc_merge(k->effective, merged);
        if (flags)
                confdoc_merge(k->effective, flags->doc);
        cJSON_Delete(merged);
}
