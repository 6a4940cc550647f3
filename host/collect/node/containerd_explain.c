/* containerd_explain: the effective registry configuration as JSON, each value with its origin. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <sys/stat.h>

#include "collect/node/containerd.h"
#include "base/util.h"

static void add_origin(cJSON *o, const struct ctrd_origin * or)
{
        if (or->file) {
                char *s = xasprintf("%s line %u", or->file, or->line);
                cJSON_AddStringToObject(o, "origin", s);
                free(s);
        } else {
                cJSON_AddStringToObject(o, "origin", "default");
        }
}

static cJSON *bool_setting(const struct ctrd_bool *b)
{
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "value", b->value);
        add_origin(o, &b->origin);
        return o;
}

cJSON *containerd_explain_json(const struct containerd_facts *c)
{
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "config", CONTAINERD_CONFIG);
        cJSON_AddBoolToObject(j, "found", c->found);
        if (c->error)
                cJSON_AddStringToObject(j, "error", c->error);
        cJSON *files = cJSON_AddArrayToObject(j, "files");
        for (size_t i = 0; i < c->n_files; i++)
                cJSON_AddItemToArray(files, cJSON_CreateString(c->files[i]));
        if (c->found && !c->error) {
                cJSON_AddNumberToObject(j, "version", (double)c->version);
                cJSON_AddStringToObject(j, "semantics", c->semantics);
                if (c->binary_version)
                        cJSON_AddStringToObject(j, "binary_version", c->binary_version);
                else
                        cJSON_AddNullToObject(j, "binary_version");
                cJSON_AddStringToObject(j, "imports_merge",
                                        c->deep_merge ? "containerd 2.x: imported plugin sections merged key by key"
                                                      : "containerd 1.x: an imported plugin section replaces the "
                                                        "earlier one whole");
                cJSON_AddStringToObject(j, "registry_plugin", c->registry_plugin);
                cJSON *cp = cJSON_AddObjectToObject(j, "config_path");
                if (c->config_path)
                        cJSON_AddStringToObject(cp, "value", c->config_path);
                else
                        cJSON_AddNullToObject(cp, "value");
                add_origin(cp, &c->config_path_origin);
                if (c->ignored)
                        cJSON_AddStringToObject(j, "ignored", c->ignored);
                cJSON *hosts = cJSON_AddArrayToObject(j, "hosts");
                for (size_t i = 0; i < c->n_hosts; i++) {
                        const struct ctrd_host *h = &c->hosts[i];
                        cJSON *o = cJSON_CreateObject();
                        cJSON_AddStringToObject(o, "registry", h->registry);
                        cJSON_AddStringToObject(o, "url", h->url);
                        cJSON_AddStringToObject(o, "kind", h->kind);
                        cJSON_AddBoolToObject(o, "plain_http", h->plain_http);
                        if (h->skip_verify < 0)
                                cJSON_AddNullToObject(o, "skip_verify");
                        else
                                cJSON_AddBoolToObject(o, "skip_verify", h->skip_verify);
                        cJSON_AddStringToObject(o, "capabilities", h->capabilities ? h->capabilities : "all");
                        cJSON_AddBoolToObject(o, "ca", h->has_ca);
                        add_origin(o, &h->origin);
                        cJSON_AddItemToArray(hosts, o);
                }
                cJSON *sb = cJSON_AddObjectToObject(j, "sandbox_image");
                if (c->sandbox_image)
                        cJSON_AddStringToObject(sb, "value", c->sandbox_image);
                else
                        cJSON_AddNullToObject(sb, "value");
                add_origin(sb, &c->sandbox_origin);
                cJSON_AddItemToObject(j, "enable_unprivileged_ports", bool_setting(&c->unpriv_ports));
                cJSON_AddItemToObject(j, "enable_unprivileged_icmp", bool_setting(&c->unpriv_icmp));
        }
        cJSON *w = cJSON_AddArrayToObject(j, "warnings");
        for (size_t i = 0; i < c->n_warnings; i++)
                cJSON_AddItemToArray(w, cJSON_CreateString(c->warnings[i]));
        cJSON *s = cJSON_AddObjectToObject(j, "socket");
        cJSON_AddStringToObject(s, "path", c->socket_path);
        add_origin(s, &c->socket_origin);
        if (c->socket_error)
                cJSON_AddStringToObject(s, "error", c->socket_error);
        cJSON_AddBoolToObject(s, "found", c->socket_found);
        if (c->socket_found) {
                char mode[8];
                snprintf(mode, sizeof(mode), "%04o", (unsigned)(c->socket_mode & 07777));
                cJSON_AddStringToObject(s, "mode", mode);
                cJSON_AddBoolToObject(s, "is_socket", S_ISSOCK(c->socket_mode));
                cJSON_AddNumberToObject(s, "uid", c->socket_uid);
                cJSON_AddNumberToObject(s, "gid", c->socket_gid);
        }
        return j;
}
