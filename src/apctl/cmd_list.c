// SPDX-License-Identifier: MIT
/* apctl list: defined and active mdevs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apctl.h"

static char **merge_uuids(char **a, char **b)
{
	size_t n = 0;
	char **v;

	for (char **p = a; *p; p++)
		n++;
	for (char **p = b; *p; p++)
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	n = 0;
	while (*a || *b) {
		int c = !*a ? 1 : !*b ? -1 : strcmp(*a, *b);

		v[n++] = xstrdup(c <= 0 ? *a : *b);
		if (c <= 0)
			a++;
		if (c >= 0)
			b++;
	}
	return v;
}

/* A multi-line sysfs value as a JSON array of its lines. */
static json_t *lines_json(const char *s)
{
	json_t *a = json_array();
	char *copy = xstrdup(s ? s : ""), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		json_array_append_new(a, json_string(l));
	free(copy);
	return a;
}

static void print_lines(const char *label, const char *s)
{
	printf("  %-16s", label);
	if (!s || !*s) {
		puts("-");
		return;
	}
	for (const char *p = s; *p; p++)
		putchar(*p == '\n' ? ' ' : *p);
	putchar('\n');
}

int cmd_list(const struct args *a, json_t **out, struct ctl_err *e)
{
	json_t *root = json_array();
	char **defs, **act, **all;
	int r;

	r = ctl_def_list(&defs);
	if (r < 0) {
		json_decref(root);
		return ctl_fail(e, -r, "'%s': %s", CFG_DIR, strerror(-r));
	}
	act = ctl_active_mdevs();
	all = merge_uuids(defs, act);
	for (char **u = all; *u; u++) {
		struct ctl_def d;
		bool defined = !ctl_def_load(*u, &d),
		     active = ctl_mdev_active(*u);
		struct apv_bitmap apm, aqm, adm;
		json_t *o = json_object();
		char *m = NULL, *g = NULL, *cd = NULL;

		const char *name = defined ? d.name : NULL;

		json_object_set_new(o, "uuid", json_string(*u));
		/* The name given at define (CFG_NAME_KEY), when known. */
		if (name)
			json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "defined", json_boolean(defined));
		json_object_set_new(o, "active", json_boolean(active));
		if (!a->json)
			printf("%s%s%s%s %s%s%s\n", *u, name ? " (" : "",
			       name ? name : "", name ? ")" : "",
			       defined ? "defined" : "",
			       defined && active ? " " : "",
			       active ? "active" : "");
		if (defined) {
			json_t *def = json_object();

			json_object_set_new(
				def, "start",
				json_string(d.autostart ? "auto" : "manual"));
			if (ctl_def_matrix(&d, &apm, &aqm, &adm)) {
				json_object_set_new(def, "valid", json_false());
				if (!a->json)
					puts("  definition      invalid assign_* value");
			} else {
				json_object_set_new(def, "adapters",
						    ctl_idlist_json(&apm));
				json_object_set_new(def, "domains",
						    ctl_idlist_json(&aqm));
				json_object_set_new(def, "control_domains",
						    ctl_idlist_json(&adm));
				if (!a->json) {
					printf("  %-16s%s\n", "start",
					       d.autostart ? "auto" : "manual");
					printf("  %-16s", "adapters");
					ctl_print_idlist(&apm, 2);
					printf("  %-16s", "domains");
					ctl_print_idlist(&aqm, 4);
					printf("  %-16s", "control domains");
					ctl_print_idlist(&adm, 4);
				}
			}
			json_object_set_new(o, "definition", def);
			ctl_def_free(&d);
		}
		if (active) {
			m = ctl_mdev_attr(*u, "matrix");
			g = ctl_mdev_attr(*u, "guest_matrix");
			cd = ctl_mdev_attr(*u, "control_domains");
			json_object_set_new(o, "matrix", lines_json(m));
			json_object_set_new(o, "guest_matrix",
					    g ? lines_json(g) : json_null());
			json_object_set_new(o, "control_domains",
					    lines_json(cd));
			if (!a->json) {
				print_lines("matrix", m);
				if (g)
					print_lines("guest_matrix", g);
				print_lines("control_domains", cd);
			}
		}
		free(m);
		free(g);
		free(cd);
		json_array_append_new(root, o);
	}
	ctl_strv_free(all);
	ctl_strv_free(act);
	ctl_strv_free(defs);
	*out = root;
	return 0;
}

/* ---- apctl define / undefine -------------------------------------------- */
