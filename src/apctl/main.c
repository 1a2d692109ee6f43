// SPDX-License-Identifier: MIT
/*
 * apctl: manage vfio_ap mediated devices and their mdevctl definitions.
 *
 * The command line is two tables: the options (opts[]) and the commands
 * (cmds[]), each command naming the options it accepts and its operands.
 * A command returns 0 or fills a struct ctl_err; main() prints the error
 * once (text on stderr, or a JSON object on stdout with --json) and exits
 * non-zero.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apctl.h"
#include "lock.h"

static const struct opt {
	const char *name;
	char short_name;
	const char *arg; /* NULL: a flag */
	const char *help;
} opts[OPT_COUNT] = {
	[OPT_HELP] = {"help", 'h', NULL, "show this help"},
	[OPT_JSON] = {"json", 0, NULL, "print JSON (results and errors)"},
	[OPT_SYSFS_ROOT] = {"sysfs-root", 0, "DIR", "sysfs is DIR (/sys)"},
	[OPT_CONFIG_ROOT] = {"config-root", 0, "DIR",
			     "definitions under DIR/mdevctl.d (/etc)"},
	[OPT_RUN_ROOT] = {"run-root", 0, "DIR",
			  "the s390apconfig lock in DIR/lock (/run)"},
	[OPT_ADAPTERS] = {"adapters", 'a', "LIST", "adapters, e.g. 4-5,0x0a"},
	[OPT_DOMAINS] = {"domains", 'd', "LIST", "usage domains"},
	[OPT_CONTROL_DOMAINS] = {"control-domains", 'c', "LIST",
				 "control domains"},
	[OPT_AUTOSTART] = {"autostart", 0, NULL, "start at boot (mdevctl)"},
	[OPT_MANUAL] = {"manual", 0, NULL, "do not start at boot"},
	[OPT_LIVE] = {"live", 0, NULL, "change the running mdev too"},
	[OPT_DRY_RUN] = {"dry-run", 'n', NULL, "show the plan, change nothing"},
	[OPT_FOR] = {"for", 0, "vfio|host", "who gets the queues (vfio)"},
	[OPT_PERSIST] = {"persist", 0, NULL,
			 "also write a udev rule that survives reboot"},
	[OPT_SVG] = {"svg", 0, "FILE", "write the picture as SVG"},
	[OPT_HTML] = {"html", 0, "FILE", "write the picture as HTML"},
	[OPT_COLOR] = {"color", 0, "WHEN", "auto, always or never (auto)"},
	[OPT_FORMAT] = {"format", 'f', "FMT", "mdevctl or libvirt"},
	[OPT_OUTPUT] = {"output", 'o', "FILE", "write to FILE, not stdout"},
	[OPT_TIMEOUT] = {"timeout", 't', "SECONDS",
			 "how long to wait (default 30)"},
};

#define DEFINE_OPTS                                                            \
	(OPT_BIT(OPT_ADAPTERS) | OPT_BIT(OPT_DOMAINS) |                        \
	 OPT_BIT(OPT_CONTROL_DOMAINS) | OPT_BIT(OPT_AUTOSTART))

static const struct cmd cmds[] = {
	{"host", NULL, 0, 0, 0, false,
	 "adapters, domains, masks; each queue's driver and mdev", cmd_host},
	{"list", NULL, 0, 0, 0, false, "defined and active mdevs", cmd_list},
	{"matrix", NULL, 0, 0,
	 OPT_BIT(OPT_SVG) | OPT_BIT(OPT_HTML) | OPT_BIT(OPT_COLOR), false,
	 "adapters x domains: who owns each queue (--svg, --html: a picture)",
	 cmd_matrix},
	{"show", "UUID|NAME", 1, 1, 0, false,
	 "one mdev: definition, assigned, what the guest gets and why",
	 cmd_show},
	{"validate", "[FILE]", 0, 1, 0, false,
	 "check the definitions (or an apply FILE) against every rule; exit 3 "
	 "on errors",
	 cmd_validate},
	{"modify", "UUID|NAME", 1, 1,
	 DEFINE_OPTS | OPT_BIT(OPT_MANUAL) | OPT_BIT(OPT_LIVE), true,
	 "replace sets in a definition (--live: and in the running mdev)",
	 cmd_modify},
	{"apply", "FILE", 1, 1, OPT_BIT(OPT_DRY_RUN), true,
	 "make definitions and mdevs what FILE says, all or nothing",
	 cmd_apply},
	{"define", "NAME|UUID", 1, 1, DEFINE_OPTS, true,
	 "write a definition (mdevctl format); prints the UUID", cmd_define},
	{"undefine", "NAME|UUID", 1, 1, 0, true, "remove a definition",
	 cmd_undefine},
	{"start", "NAME|UUID", 1, 1, 0, true, "create the mdev of a definition",
	 cmd_start},
	{"stop", "NAME|UUID", 1, 1, 0, true, "remove an active mdev", cmd_stop},
	{"reserve", NULL, 0, 0,
	 OPT_BIT(OPT_ADAPTERS) | OPT_BIT(OPT_DOMAINS) | OPT_BIT(OPT_FOR) |
		 OPT_BIT(OPT_PERSIST) | OPT_BIT(OPT_DRY_RUN),
	 true, "move adapters/domains between the host and vfio_ap (apmask)",
	 cmd_reserve},
	{"release", "UUID|NAME", 1, 1, OPT_BIT(OPT_TIMEOUT), true,
	 "wait until an mdev's queues are idle, then remove it", cmd_release},
	{"migrate-check", "A B", 2, 2, 0, false,
	 "can the mdevs of host A (apctl host --json) move to host B?",
	 cmd_migrate_check},
	{"export", "[UUID|NAME]", 0, 1,
	 OPT_BIT(OPT_FORMAT) | OPT_BIT(OPT_OUTPUT), false,
	 "print definitions as mdevctl JSON or libvirt XML", cmd_export},
	{"import", "FILE", 1, 1, OPT_BIT(OPT_FORMAT), true,
	 "create definitions from mdevctl JSON or libvirt XML", cmd_import},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f, const struct cmd *only)
{
	fputs("Usage: apctl [OPTIONS] COMMAND [ARGS]\n\nCommands:\n", f);
	for (size_t i = 0; i < N_CMDS; i++) {
		const struct cmd *c = &cmds[i];

		if (only && only != c)
			continue;
		fprintf(f, "  %s%s%s\n      %s\n", c->name,
			c->operand ? " " : "", c->operand ? c->operand : "",
			c->help);
	}
	fputs("\nOptions:\n", f);
	for (int i = 0; i < OPT_COUNT; i++) {
		const struct opt *o = &opts[i];
		char buf[48];

		if (only && !((GLOBAL_OPTS | only->opts) >> i & 1))
			continue;
		snprintf(buf, sizeof(buf), "%c%c%s--%s%s%s",
			 o->short_name ? '-' : ' ',
			 o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "  ", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-30s %s\n", buf, o->help);
	}
}

static int find_opt(const char *arg, const char **val)
{
	*val = NULL;
	if (arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		for (int i = 0; i < OPT_COUNT; i++)
			if (strlen(opts[i].name) == len &&
			    !strncmp(opts[i].name, name, len)) {
				*val = eq ? eq + 1 : NULL;
				return i;
			}
		return -1;
	}
	for (int i = 0; i < OPT_COUNT; i++)
		if (opts[i].short_name && arg[1] == opts[i].short_name) {
			*val = arg[2] ? arg + 2 : NULL;
			return i;
		}
	return -1;
}

/* Fill A from argv; *cmd is the command (NULL: none given). */
static int parse_args(int argc, char **argv, struct args *a,
		      const struct cmd **cmd, struct ctl_err *e)
{
	bool only_operands = false;

	*cmd = NULL;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		int id;

		if (only_operands || arg[0] != '-' || !arg[1]) {
			if (!*cmd) {
				for (size_t k = 0; k < N_CMDS; k++)
					if (!strcmp(cmds[k].name, arg))
						*cmd = &cmds[k];
				if (!*cmd)
					return ctl_fail(e, 0,
							"'%s': unknown command",
							arg);
			} else if (a->n_operands < (*cmd)->max_operands) {
				a->operands[a->n_operands++] = arg;
				a->operand = a->operands[0];
			} else {
				return ctl_fail(
					e, 0, "'%s': unexpected argument", arg);
			}
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_operands = true;
			continue;
		}
		id = find_opt(arg, &val);
		if (id < 0)
			return ctl_fail(e, 0, "'%s': unknown option", arg);
		if (opts[id].arg && !val) {
			if (i + 1 >= argc)
				return ctl_fail(e, 0, "'--%s' needs %s",
						opts[id].name, opts[id].arg);
			val = argv[++i];
		} else if (!opts[id].arg && val) {
			return ctl_fail(e, 0, "'--%s' takes no value",
					opts[id].name);
		}
		a->set[id] = true;
		a->val[id] = val;
	}
	a->json = a->set[OPT_JSON];
	if (a->set[OPT_HELP])
		return 0;
	if (!*cmd)
		return ctl_fail(e, 0, "no command given (try 'apctl --help')");
	for (int i = 0; i < OPT_COUNT; i++)
		if (a->set[i] && !((GLOBAL_OPTS | (*cmd)->opts) >> i & 1))
			return ctl_fail(e, 0, "'--%s' does not apply to '%s'",
					opts[i].name, (*cmd)->name);
	if (a->n_operands < (*cmd)->min_operands)
		return ctl_fail(e, 0, "'%s' needs %s", (*cmd)->name,
				(*cmd)->operand);
	return 0;
}

/* detail: what a failing command left in *out (apply: the plan and what
 * was rolled back); with --json the error keys are added to it. */
static void print_error(const struct args *a, const struct ctl_err *e,
			json_t *detail)
{
	if (a->json) {
		json_t *o = json_is_object(detail) ? json_incref(detail) :
						     json_object();
		const char *name = e->err ? strerrorname_np(e->err) : NULL;
		char *s;

		json_object_set_new(o, "error", json_string(e->msg));
		json_object_set_new(o, "errno",
				    name ? json_string(name) : json_null());
		json_object_set_new(o, "rule",
				    e->rule ? json_string(e->rule) :
					      json_null());
		json_object_set_new(o, "apqn",
				    e->apqn[0] ? json_string(e->apqn) :
						 json_null());
		json_object_set_new(o, "owner",
				    e->owner ? json_string(e->owner) :
					       json_null());
		s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
		json_decref(o);
		return;
	}
	fprintf(stderr, "apctl: %s\n", e->msg);
}

int main(int argc, char **argv)
{
	struct ctl_err e = {0};
	struct args a = {0};
	const struct cmd *cmd;
	json_t *out = NULL;
	int rc = 0, r;

	/* Usage errors, too, are JSON with --json anywhere before "--". */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			a.json = true;
	if (parse_args(argc, argv, &a, &cmd, &e)) {
		print_error(&a, &e, NULL);
		rc = 2;
		goto done;
	}
	if (a.set[OPT_HELP] || !cmd) {
		usage(stdout, cmd);
		goto done;
	}
	{
		/* without the options, the tools' root hooks: s390-tools'
		 * SYSFS_ROOT (the sysfs directory), then mdevctl's
		 * MDEVCTL_ENV_ROOT (a whole root: R/sys, R/etc/mdevctl.d) */
		static char env_sys[4096], env_etc[4096];
		const char *sys = getenv("SYSFS_ROOT");
		const char *root = getenv("MDEVCTL_ENV_ROOT");

		if (root && *root) {
			snprintf(env_sys, sizeof(env_sys), "%s/sys", root);
			snprintf(env_etc, sizeof(env_etc), "%s/etc", root);
		}
		ctl_set_roots(a.val[OPT_SYSFS_ROOT] ? a.val[OPT_SYSFS_ROOT] :
			      sys && *sys	    ? sys :
			      env_sys[0]	    ? env_sys :
						      NULL,
			      a.val[OPT_CONFIG_ROOT] ? a.val[OPT_CONFIG_ROOT] :
			      env_etc[0]	     ? env_etc :
						       NULL);
	}
	ctl_lock_set_root(a.val[OPT_RUN_ROOT]);
	if (cmd->locked) {
		char *holder;

		r = ctl_lock_take(&holder);
		if (r) {
			if (holder)
				ctl_fail(&e, -r,
					 "'%s': cannot take the lock: held by "
					 "%s",
					 ctl_lock_path(), holder);
			else
				ctl_fail(&e, -r,
					 "'%s': cannot take the lock: %s",
					 ctl_lock_path(), strerror(-r));
			free(holder);
			e.rule = "lock-held";
			print_error(&a, &e, NULL);
			rc = 1;
			goto done;
		}
	}
	r = cmd->run(&a, &out, &e);
	ctl_lock_release();
	if (r) {
		print_error(&a, &e, out);
		rc = e.exit_code ? e.exit_code : 1;
		goto done;
	}
	if (a.json && out) {
		char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (s)
			puts(s);
		free(s);
	}
	/* A command that succeeded may still give a verdict (migrate-check). */
	rc = e.exit_code;
done:
	json_decref(out);
	ctl_err_fini(&e);
	return rc;
}
