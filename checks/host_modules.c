/* host_modules: kernel modules CIS asks to keep out of a node (udf, SCTP): modprobe.d refuses them and the kernel has none loaded. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"

/* What stops @module from loading: PASS (module_blacklist= on the kernel command line, which the
 * kernel enforces on every load, or an install line that only exits), WARN (a blacklist line or
 * modprobe.blacklist= only: loading by alias stops, an explicit modprobe still loads it) or FAIL. */
static enum status judge_modprobe(const struct facts *f, const char *module, struct strbuf *ev)
{
        const struct modprobe_conf *c = &f->host.modprobe;
        const struct modprobe_rule *in = modprobe_install_for(c, module);
        const struct modprobe_rule *bl = modprobe_blacklist_for(c, module);
        const char *cmdline = f->host.cmdline, *proc = f->proc_path ? f->proc_path : "/proc";
        enum status st;
        if (cmdline && cmdline_lists_module(cmdline, "module_blacklist", module)) {
                sb_printf(ev,
                          "module_blacklist= on the kernel command line (%s/cmdline) names %s: the kernel refuses "
                          "to load it, whatever modprobe is told",
                          proc, module);
                st = ST_PASS;
        } else if (in && modprobe_command_refuses(in->command)) {
                sb_printf(ev, "install %s %s at %s:%u: modprobe runs it instead of loading %s", in->module, in->command,
                          in->file, in->line, module);
                st = ST_PASS;
        } else if (in) {
                sb_printf(ev, "install %s %s at %s:%u runs a command that does not only exit: it may load %s",
                          in->module, in->command, in->file, in->line, module);
                st = ST_FAIL;
        } else if (bl || (cmdline && cmdline_lists_module(cmdline, "modprobe.blacklist", module))) {
                char *where = bl ? xasprintf("blacklist %s at %s:%u", bl->module, bl->file, bl->line)
                                 : xasprintf("modprobe.blacklist=%s on the kernel command line (%s/cmdline)", module,
                                             proc);
                sb_printf(ev,
                          "%s only: it stops loading by alias (a socket or mount asking for it), but an explicit "
                          "`modprobe %s` still loads it; no install line refuses it",
                          where, module);
                free(where);
                st = ST_WARN;
        } else {
                sb_printf(ev,
                          "no install or blacklist line for %s in modprobe.d (%zu file%s read): modprobe loads it on "
                          "demand",
                          module, c->n_files, c->n_files == 1 ? "" : "s");
                st = ST_FAIL;
        }
        if (in && bl)
                sb_printf(ev, " (also blacklist at %s:%u)", bl->file, bl->line);
        if (c->error)
                sb_printf(ev, "; modprobe.d incomplete: %s", c->error);
        if (st != ST_PASS && f->node.br.is_bottlerocket)
                sb_printf(ev, "; Bottlerocket writes install lines from settings.kernel.modules.%s.allowed = false",
                          module);
        return st;
}

static void judge_module(const struct facts *f, struct result *r, const char *module, const char *risk)
{
        const struct host_facts *h = &f->host;
        const char *proc = f->proc_path ? f->proc_path : "/proc";
        struct strbuf ev = {0};
        enum status st = judge_modprobe(f, module, &ev);
        if (!h->proc_modules) {
                if (h->proc_modules_err == -ENOENT)
                        sb_printf(&ev, "; %s/modules absent (no live kernel under this root)", proc);
                else
                        sb_printf(&ev, "; %s/modules unreadable (%s)", proc, strerror(-h->proc_modules_err));
                sb_puts(&ev, ": judged from the modprobe configuration only");
        } else if (proc_modules_lists(h->proc_modules, h->proc_modules_len, module)) {
                char *cfg = sb_steal(&ev);
                sb_printf(&ev, "%s is loaded (%s/modules): %s; %s", module, proc, risk, cfg);
                free(cfg);
                st = ST_FAIL;
        } else {
                sb_printf(&ev, "; %s not loaded (%s/modules)", module, proc);
        }
        result_set(r, st, "%s", ev.buf);
        sb_free(&ev);
}

void check_host_module_udf(const struct facts *f, struct result *r)
{
        judge_module(f, r, "udf", "the kernel parses UDF file systems from any disk or image mounted here");
}

void check_host_module_sctp(const struct facts *f, struct result *r)
{
        judge_module(f, r, "sctp", "any process, in any pod, can open SCTP sockets and reach its kernel code");
}
