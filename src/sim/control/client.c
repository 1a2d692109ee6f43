// SPDX-License-Identifier: MIT
/*
 * `apsim ctl`: the command-line client of the control socket (sim.h,
 * docs/control-protocol.md).  Turns a verb into one JSON request, sends it,
 * and prints the response for humans, or raw with --json.
 *
 * Ids on this command line are hexadecimal, as the sysfs names show them
 * (card05, 05.0047): "47", "0x47" and "0X47" are all domain 0x47.
 *
 * Exit status: 0 success, 1 the host refused (an "ok": false response),
 * 2 usage error, 3 no connection or a broken response.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <apvirt/proto/conn.h>

#include "control.h"
#include "sim.h"
#include "simjson.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_CONN 3
#define RESPONSE_MAX (1u << 30)

struct opts {
	const char *socket;
	bool json, no_scan, standby, brief, follow;
	long long since, max;
	int npos;
	char **pos;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: apsim ctl [--socket PATH] [--json] VERB [ARG...]\n"
		"\n"
		"  ping                              protocol version, kernel\n"
		"  state [--brief]                   machine, bus, cards, queues, "
		"mdevs\n"
		"  owners                            owner of every APQN\n"
		"  pending                           changes the bus has not "
		"scanned yet\n"
		"  log [--since SEQ] [--max N] [--follow]\n"
		"                                    the host's kernel log\n"
		"  events [--since N] [--max N] [--follow]\n"
		"                                    the udev events, one JSON "
		"object a line\n"
		"  scan                              run an AP bus scan\n"
		"  adapter ID config on|off          SCLP configure / "
		"deconfigure\n"
		"  adapter ID checkstop on|off\n"
		"  adapter ID add TYPE [MODE] [--standby]\n"
		"                                    install (TYPE CEX4..CEX8, "
		"MODE accel|cca|ep11)\n"
		"  adapter ID remove|restore         take out of / put back "
		"into the configuration\n"
		"  domain add|remove ID              usage domain\n"
		"  control-domain add|remove ID      control domain\n"
		"  raw JSON                          send one request verbatim\n"
		"\n"
		"Ids are hex (05, 0x47).  Hardware events scan the bus unless "
		"--no-scan\n"
		"leaves them pending.  The socket is $APSIM_SOCKET or %s.\n",
		APSIM_CTL_DEFAULT_SOCKET);
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "apsim ctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(apsim ctl --help lists the verbs)\n");
	return -EXIT_USAGE;
}

static int parse_ll(const char *opt, const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 0);
	if (errno || end == s || *end || *out < 0)
		return usage_error("%s: expected a non-negative number", opt);
	return 0;
}

/* Split options (anywhere) from positional arguments. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->socket = apsim_ctl_socket_path();
	o->max = -1;
	o->pos = calloc((size_t)argc + 1, sizeof(*o->pos));
	if (!o->pos)
		return -EXIT_CONN;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_next = i + 1 < argc;

		if (!strcmp(a, "--socket") || !strcmp(a, "-s")) {
			if (!has_next)
				return usage_error("%s needs a path", a);
			o->socket = argv[++i];
		} else if (!strncmp(a, "--socket=", 9)) {
			o->socket = a + 9;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--no-scan")) {
			o->no_scan = true;
		} else if (!strcmp(a, "--standby")) {
			o->standby = true;
		} else if (!strcmp(a, "--brief")) {
			o->brief = true;
		} else if (!strcmp(a, "--follow") || !strcmp(a, "-f")) {
			o->follow = true;
		} else if (!strcmp(a, "--since") || !strcmp(a, "--max")) {
			if (!has_next)
				return usage_error("%s needs a number", a);
			if (parse_ll(a, argv[++i],
				     a[2] == 's' ? &o->since : &o->max))
				return -EXIT_USAGE;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 1;
		} else if (a[0] == '-' &&
			   ((a[1] && o->npos == 0) || a[1] == '-')) {
			return usage_error("unknown option %s", a);
		} else {
			o->pos[o->npos++] = argv[i];
		}
	}
	return 0;
}

/* A hex id from the command line ("47", "0x47"); -1 if invalid. */
static int hex_id(const char *s)
{
	char buf[8];
	unsigned int v;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (!*s || strlen(s) > 4)
		return -1;
	snprintf(buf, sizeof(buf), "0x%s", s);
	if (apsim_parse_id_text(buf, &v))
		return -1;
	return (int)v;
}

/* ---- the connection ---------------------------------------------------- */

static int connect_to(struct apv_conn *c, const char *path)
{
	int rc;

	apv_conn_init(c, RESPONSE_MAX);
	rc = apv_conn_connect(c, path);
	if (rc == -ENAMETOOLONG) {
		fprintf(stderr, "apsim ctl: socket path too long: %s\n", path);
		return -1;
	}
	if (rc) {
		fprintf(stderr, "apsim ctl: cannot connect to %s: %s\n", path,
			strerror(-rc));
		return -1;
	}
	return 0;
}

/* Send one request, read one response line (malloc'ed, no newline). */
static char *roundtrip(struct apv_conn *c, const char *req)
{
	char *line, *copy;
	size_t n;
	int rc;

	rc = apv_conn_send_line(c, req);
	if (rc) {
		fprintf(stderr, "apsim ctl: send: %s\n", strerror(-rc));
		return NULL;
	}
	rc = apv_conn_read_line(c, -1, &line, &n);
	if (rc == -EPIPE && c->in.eof) {
		fprintf(stderr,
			"apsim ctl: connection closed before the response\n");
		return NULL;
	}
	if (rc == -E2BIG || rc == -ENOMEM) {
		fprintf(stderr, "apsim ctl: response too large\n");
		return NULL;
	}
	if (rc < 0) {
		fprintf(stderr, "apsim ctl: %s\n", strerror(-rc));
		return NULL;
	}
	copy = malloc(n + 1);
	if (!copy) {
		fprintf(stderr, "apsim ctl: response too large\n");
		return NULL;
	}
	memcpy(copy, line, n + 1);
	return copy;
}

/* ---- printing ---------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : def;
}

static long long jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static bool jbool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static void print_reason(FILE *f, const json_t *r, const char *indent)
{
	const json_t *v;

	if (!json_is_object(r))
		return;
	fprintf(f, "%s(rule %s", indent, jstr(r, "rule", "?"));
	if ((v = json_object_get(r, "apqn")))
		fprintf(f, ", apqn %s", json_string_value(v));
	if ((v = json_object_get(r, "id")))
		fprintf(f, ", id 0x%02llx", json_integer_value(v));
	if ((v = json_object_get(r, "owner")))
		fprintf(f, ", owner %s", json_string_value(v));
	fprintf(f, ")");
}

static void print_log(const json_t *entries)
{
	size_t i;
	json_t *e;

	json_array_foreach(entries, i, e)
	{
		unsigned long long t = (unsigned long long)jint(e, "time_ns");
		const char *dev = jstr(e, "device", "");

		printf("[%5llu.%06llu] %-7s %s%s%s", t / 1000000000ull,
		       (t / 1000ull) % 1000000ull, jstr(e, "level", "?"), dev,
		       dev[0] ? ": " : "", jstr(e, "text", ""));
		print_reason(stdout, json_object_get(e, "reason"), "  ");
		printf("\n");
	}
}

/* "04 05 47" from an id array (hex, width w). */
static void print_ids(const char *label, const json_t *arr, int w)
{
	size_t i;
	json_t *v;

	printf("%s", label);
	if (!json_array_size(arr))
		printf(" -");
	json_array_foreach(arr, i, v)
		printf(" %0*llx", w, json_integer_value(v));
	printf("\n");
}

static void print_matrix(const char *indent, const char *what, const json_t *m)
{
	char label[64];

	snprintf(label, sizeof(label), "%s%s adapters:", indent, what);
	print_ids(label, json_object_get(m, "adapters"), 2);
	snprintf(label, sizeof(label), "%s%s domains:", indent, what);
	print_ids(label, json_object_get(m, "domains"), 4);
	snprintf(label, sizeof(label), "%s%s control domains:", indent, what);
	print_ids(label, json_object_get(m, "control_domains"), 4);
}

static const char *str_or(const json_t *v, const char *def)
{
	return json_is_string(v) ? json_string_value(v) : def;
}

static void print_state(const json_t *r)
{
	const json_t *m = json_object_get(r, "machine");
	const json_t *b = json_object_get(r, "bus");
	const json_t *bi = json_object_get(b, "bindings");
	const json_t *arr;
	size_t i, k;
	json_t *c, *q;

	printf("kernel %s, QCI %s%s, Na %lld, Nd %lld\n",
	       jstr(r, "kernel", "?"), jbool(m, "qci") ? "yes" : "no",
	       jbool(m, "apxa") ? " (APXA)" : "", jint(m, "na"), jint(m, "nd"));
	printf("machine:\n");
	arr = json_object_get(m, "adapters");
	json_array_foreach(arr, i, c)
	{
		printf("  adapter %02llx  %-6s %-5s %s%s%s\n", jint(c, "id"),
		       jstr(c, "type", "?"), jstr(c, "mode", "?"),
		       jbool(c, "in_config") ? "in config" : "removed",
		       jbool(c, "in_config") && !jbool(c, "configured") ?
			       ", configured off" :
			       "",
		       jbool(c, "chkstop") ? ", checkstopped" : "");
	}
	print_ids("  usage domains:", json_object_get(m, "domains"), 4);
	print_ids("  control domains:", json_object_get(m, "control_domains"),
		  4);
	printf("bus: %lld scans, bindings %lld/%lld%s\n", jint(b, "scans"),
	       jint(bi, "bound"), jint(bi, "total"),
	       jbool(bi, "complete") ? " (complete)" : "");
	printf("  apmask %s\n  aqmask %s\n", jstr(b, "apmask", "?"),
	       jstr(b, "aqmask", "?"));
	arr = json_object_get(r, "cards");
	json_array_foreach(arr, i, c)
	{
		const json_t *qs = json_object_get(c, "queues");

		printf("card%02llx  %-6s config %d chkstop %d  driver %s\n",
		       jint(c, "id"), str_or(json_object_get(c, "type"), "-"),
		       jbool(c, "config"), jbool(c, "chkstop"),
		       str_or(json_object_get(c, "driver"), "-"));
		if (json_is_integer(qs)) {
			printf("  %lld queues\n", json_integer_value(qs));
			continue;
		}
		json_array_foreach(qs, k, q)
		{
			printf("  %s  %-10s %s%s%s\n", jstr(q, "apqn", "?"),
			       str_or(json_object_get(q, "driver"), "-"),
			       str_or(json_object_get(q, "owner"), "free"),
			       json_is_string(json_object_get(q, "status")) ?
				       ", " :
				       "",
			       str_or(json_object_get(q, "status"), ""));
		}
	}
	arr = json_object_get(r, "mdevs");
	json_array_foreach(arr, i, c)
	{
		const json_t *kvm = json_object_get(c, "kvm");

		printf("mdev %s%s%s%s, %lld queues linked\n",
		       jstr(c, "uuid", "?"),
		       json_is_string(kvm) ? ", guest " : "", str_or(kvm, ""),
		       jbool(c, "open") ? " (open)" : "", jint(c, "linked"));
		print_matrix("  ", "assigned", json_object_get(c, "assigned"));
		print_matrix("  ", "guest", json_object_get(c, "shadow"));
		print_matrix("  ", "pending", json_object_get(c, "pending"));
	}
	arr = json_object_get(r, "zcrypt_nodes");
	json_array_foreach(arr, i, c)
		printf("zcrypt node %s (%s)\n", jstr(c, "name", "?"),
		       jstr(c, "dev", "?"));
}

static void print_owners(const json_t *r)
{
	size_t i;
	json_t *o;

	printf("%-8s %-36s %-10s %s\n", "APQN", "OWNER", "DRIVER", "EXISTS");
	json_array_foreach(json_object_get(r, "owners"), i, o)
		printf("%-8s %-36s %-10s %s\n", jstr(o, "apqn", "?"),
		       str_or(json_object_get(o, "owner"), "free"),
		       str_or(json_object_get(o, "driver"), "-"),
		       jbool(o, "exists") ? "yes" : "no");
}

static void print_pending(const json_t *r)
{
	static const char *const keys[] = {
		"adapters_added",
		"adapters_removed",
		"domains_added",
		"domains_removed",
		"control_domains_added",
		"control_domains_removed",
		NULL,
	};
	const json_t *mb = json_object_get(r, "machine_vs_bus");
	size_t i;
	json_t *e;

	printf("%s\n", jbool(r, "scan_needed") ?
			       "the bus has not seen these changes yet "
			       "(apsim ctl scan):" :
			       "the bus is in step with the machine");
	for (int k = 0; keys[k]; k++) {
		const json_t *a = json_object_get(mb, keys[k]);
		char label[48];

		if (!json_array_size(a))
			continue;
		snprintf(label, sizeof(label), "  %s:", keys[k]);
		print_ids(label, a, keys[k][0] == 'a' ? 2 : 4);
	}
	json_array_foreach(json_object_get(mb, "configured"), i, e)
		printf("  adapter %02llx configured %s (bus: %s)\n",
		       jint(e, "id"), jbool(e, "machine") ? "on" : "off",
		       jbool(e, "bus") ? "on" : "off");
	json_array_foreach(json_object_get(mb, "chkstop"), i, e)
		printf("  adapter %02llx checkstop %s (bus: %s)\n",
		       jint(e, "id"), jbool(e, "machine") ? "on" : "off",
		       jbool(e, "bus") ? "on" : "off");
	json_array_foreach(json_object_get(r, "mdevs"), i, e)
	{
		printf("mdev %s hot plug pending:\n", jstr(e, "uuid", "?"));
		print_matrix("  ", "", json_object_get(e, "pending"));
	}
}

/* events: one compact JSON object a line (what a harness reads). */
static void print_events(const json_t *r)
{
	size_t i;
	json_t *e;

	if (jint(r, APV_KEY_LOST) > 0)
		fprintf(stderr,
			"apsim ctl: %lld events lost (the ring moved "
			"on)\n",
			jint(r, APV_KEY_LOST));
	json_array_foreach(json_object_get(r, APV_KEY_EVENTS), i, e)
	{
		char *s = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (s)
			printf("%s\n", s);
		free(s);
	}
}

/* Print a response for humans; returns the exit status. */
static int print_response(const char *verb, const json_t *r)
{
	if (!jbool(r, "ok")) {
		fprintf(stderr, "apsim ctl: %s: %s", jstr(r, "errno", "?"),
			jstr(r, "error", "?"));
		print_reason(stderr, json_object_get(r, "reason"), " ");
		fprintf(stderr, "\n");
		return EXIT_REFUSED;
	}
	if (!strcmp(verb, "ping")) {
		printf("apsim control protocol %lld, kernel %s\n",
		       jint(r, "protocol"), jstr(r, "kernel", "?"));
	} else if (!strcmp(verb, "state")) {
		print_state(r);
	} else if (!strcmp(verb, "owners")) {
		print_owners(r);
	} else if (!strcmp(verb, "pending")) {
		print_pending(r);
	} else if (!strcmp(verb, "log")) {
		print_log(json_object_get(r, "entries"));
	} else if (!strcmp(verb, APV_CMD_EVENTS)) {
		print_events(r);
	} else if (!strcmp(verb, "scan")) {
		print_log(json_object_get(r, "log"));
		printf("ok: scan %lld done\n", jint(r, "scans"));
	} else if (!strcmp(verb, "raw")) {
		char *s = json_dumps(r, JSON_INDENT(2));

		printf("%s\n", s ? s : "");
		free(s);
	} else {
		print_log(json_object_get(r, "log"));
		printf("ok: %s\n", jbool(r, "scanned") ?
					   "bus scanned" :
					   "pending until the next scan "
					   "(apsim ctl scan)");
	}
	return 0;
}

/* ---- building requests -------------------------------------------------- */

static int on_off(const char *s, bool *on)
{
	if (!strcmp(s, "on") || !strcmp(s, "1"))
		*on = true;
	else if (!strcmp(s, "off") || !strcmp(s, "0"))
		*on = false;
	else
		return usage_error("expected on or off, got '%s'", s);
	return 0;
}

static bool is_word(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

static int id_arg(const char *s, int *id)
{
	*id = hex_id(s);
	if (*id < 0)
		return usage_error("'%s' is not a hex id 00..ff", s);
	return 0;
}

/* adapter ID VERB ... | adapter VERB ID ... */
static int build_adapter(const struct opts *o, json_t *req)
{
	static const char *const verbs[] = {"config", "configure", "checkstop",
					    "add",    "remove",	   "restore",
					    NULL};
	const char *verb, *ids;
	char **rest;
	int nrest, id;
	bool on = false;

	if (o->npos < 3)
		return usage_error("adapter ID VERB ...");
	if (is_word(o->pos[1], verbs)) {
		verb = o->pos[1];
		ids = o->pos[2];
	} else {
		ids = o->pos[1];
		verb = o->pos[2];
	}
	rest = o->pos + 3;
	nrest = o->npos - 3;
	if (id_arg(ids, &id))
		return -EXIT_USAGE;
	json_object_set_new(req, "id", json_integer(id));
	if (!strcmp(verb, "config") || !strcmp(verb, "configure") ||
	    !strcmp(verb, "checkstop")) {
		if (nrest != 1)
			return usage_error("adapter ID %s on|off", verb);
		if (on_off(rest[0], &on))
			return -EXIT_USAGE;
		json_object_set_new(
			req, APV_KEY_CMD,
			json_string(verb[1] == 'h' ?
					    APV_CMD_ADAPTER_CHECKSTOP :
					    APV_CMD_ADAPTER_CONFIGURE));
		json_object_set_new(req, "on", json_boolean(on));
	} else if (!strcmp(verb, "add")) {
		if (nrest < 1 || nrest > 2)
			return usage_error("adapter ID add TYPE [MODE] "
					   "[--standby]");
		json_object_set_new(req, APV_KEY_CMD,
				    json_string(APV_CMD_ADAPTER_ADD));
		/* numeric types as numbers, names as names */
		if (rest[0][0] >= '0' && rest[0][0] <= '9')
			json_object_set_new(req, "type",
					    json_integer(atoi(rest[0])));
		else
			json_object_set_new(req, "type", json_string(rest[0]));
		if (nrest == 2)
			json_object_set_new(req, "mode", json_string(rest[1]));
		if (o->standby)
			json_object_set_new(req, "config", json_false());
	} else if (!strcmp(verb, "remove") || !strcmp(verb, "restore")) {
		if (nrest)
			return usage_error("adapter ID %s", verb);
		json_object_set_new(
			req, APV_KEY_CMD,
			json_string(verb[2] == 'm' ? APV_CMD_ADAPTER_REMOVE :
						     APV_CMD_ADAPTER_RESTORE));
	} else {
		return usage_error("unknown adapter verb '%s'", verb);
	}
	return 0;
}

/* domain add|remove ID (or domain ID add|remove) */
static int build_domain(const struct opts *o, json_t *req, bool control)
{
	static const char *const verbs[] = {"add", "remove", NULL};
	const char *verb, *ids;
	char cmd[32];
	int id;

	if (o->npos != 3)
		return usage_error("%s add|remove ID", o->pos[0]);
	verb = is_word(o->pos[1], verbs) ? o->pos[1] : o->pos[2];
	ids = verb == o->pos[1] ? o->pos[2] : o->pos[1];
	if (!is_word(verb, verbs))
		return usage_error("%s add|remove ID", o->pos[0]);
	if (id_arg(ids, &id))
		return -EXIT_USAGE;
	snprintf(cmd, sizeof(cmd), "%sdomain-%s", control ? "control-" : "",
		 verb);
	json_object_set_new(req, APV_KEY_CMD, json_string(cmd));
	json_object_set_new(req, "id", json_integer(id));
	return 0;
}

/* The request for the verb, as text; NULL with *status set on error. */
static char *build_request(const struct opts *o, int *status)
{
	const char *verb = o->pos[0];
	json_t *req;
	char *s;
	int rc = 0;

	if (!strcmp(verb, "raw")) {
		if (o->npos != 2) {
			*status = -usage_error("raw '{\"cmd\": ...}'");
			return NULL;
		}
		return strdup(o->pos[1]);
	}
	req = json_object();
	if (!req) {
		*status = EXIT_CONN;
		return NULL;
	}
	if (!strcmp(verb, "ping") || !strcmp(verb, "owners") ||
	    !strcmp(verb, "pending") || !strcmp(verb, "scan") ||
	    !strcmp(verb, "state") || !strcmp(verb, "log") ||
	    !strcmp(verb, APV_CMD_EVENTS)) {
		if (o->npos != 1)
			rc = usage_error("%s takes no arguments", verb);
		json_object_set_new(req, APV_KEY_CMD, json_string(verb));
		if (!strcmp(verb, "state") && o->brief)
			json_object_set_new(req, "queues", json_false());
		if (!strcmp(verb, "log") || !strcmp(verb, APV_CMD_EVENTS)) {
			json_object_set_new(req, "since",
					    json_integer(o->since));
			if (o->max > 0)
				json_object_set_new(req, "max",
						    json_integer(o->max));
		}
	} else if (!strcmp(verb, "adapter")) {
		rc = build_adapter(o, req);
	} else if (!strcmp(verb, "domain")) {
		rc = build_domain(o, req, false);
	} else if (!strcmp(verb, "control-domain")) {
		rc = build_domain(o, req, true);
	} else {
		rc = usage_error("unknown verb '%s'", verb);
	}
	if (!rc && o->no_scan) {
		if (!json_object_get(req, "id"))
			rc = usage_error(
				"--no-scan applies to hardware events, "
				"not to %s",
				verb);
		else
			json_object_set_new(req, "scan", json_false());
	}
	if (rc) {
		json_decref(req);
		*status = -rc;
		return NULL;
	}
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!s)
		*status = EXIT_CONN;
	return s;
}

/* One request/response; returns the exit status. */
static int run_once(struct apv_conn *c, const struct opts *o, const char *req,
		    json_t **resp_out)
{
	json_error_t jerr;
	char *line = roundtrip(c, req);
	json_t *r;
	int st;

	if (!line)
		return EXIT_CONN;
	r = json_loads(line, 0, &jerr);
	if (!json_is_object(r)) {
		fprintf(stderr, "apsim ctl: broken response: %s\n",
			r ? "not an object" : jerr.text);
		json_decref(r);
		free(line);
		return EXIT_CONN;
	}
	if (o->json) {
		printf("%s\n", line);
		st = jbool(r, APV_KEY_OK) ? 0 : EXIT_REFUSED;
	} else {
		st = print_response(o->pos[0], r);
	}
	fflush(stdout);
	free(line);
	if (resp_out)
		*resp_out = r;
	else
		json_decref(r);
	return st;
}

/* log/events --follow: poll for new entries until interrupted. */
static int follow_log(struct apv_conn *c, struct opts *o)
{
	bool ev = !strcmp(o->pos[0], APV_CMD_EVENTS);

	for (;;) {
		json_t *r = NULL, *req;
		char *s;
		int st;

		req = json_pack("{s:s,s:I}", APV_KEY_CMD,
				ev ? APV_CMD_EVENTS : APV_CMD_LOG,
				APV_KEY_SINCE, (json_int_t)o->since);
		s = req ? json_dumps(req, JSON_COMPACT) : NULL;
		json_decref(req);
		if (!s)
			return EXIT_CONN;
		st = run_once(c, o, s, &r);
		free(s);
		if (st) {
			json_decref(r);
			return st;
		}
		o->since = jint(r, ev ? APV_KEY_NEXT : APV_KEY_LAST_SEQ);
		json_decref(r);
		/* events: a harness waits for them; poll every 20 ms */
		nanosleep(&(struct timespec){.tv_nsec = ev ? 20000000 :
							     200000000},
			  NULL);
	}
}

int apsim_ctl_main(int argc, char **argv)
{
	struct opts o;
	char *req;
	struct apv_conn conn;
	int rc, st = 0;

	rc = parse_args(argc, argv, &o);
	if (rc) {
		free(o.pos);
		return rc > 0 ? 0 : -rc;
	}
	if (o.npos == 0) {
		usage(stderr);
		free(o.pos);
		return EXIT_USAGE;
	}
	if (o.follow && strcmp(o.pos[0], "log") &&
	    strcmp(o.pos[0], APV_CMD_EVENTS)) {
		free(o.pos);
		return -usage_error("--follow applies to log and events only");
	}
	req = build_request(&o, &st);
	if (!req) {
		free(o.pos);
		return st;
	}
	if (connect_to(&conn, o.socket)) {
		free(req);
		free(o.pos);
		return EXIT_CONN;
	}
	st = o.follow ? follow_log(&conn, &o) : run_once(&conn, &o, req, NULL);
	apv_conn_close(&conn);
	free(req);
	free(o.pos);
	return st;
}
