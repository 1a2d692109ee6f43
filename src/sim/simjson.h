/* SPDX-License-Identifier: MIT */
/*
 * JSON value conventions shared by the topology file (topology.c) and the
 * control protocol (control/handler.c, control/client.c); docs/topology.md and
 * docs/control-protocol.md describe them for users.
 *
 *   id     a JSON integer 0..255, or a string "0x<hex>" (1 or 2 digits
 *          after the prefix are usual; the value must be <= 255)
 *   range  (lists only) a string "A-B", A and B decimal or 0x hex, A <= B
 *   type   "CEX4".."CEX8" (either case) or 10..14; the legacy
 *          "CEX2A" "CEX2C" "CEX3A" "CEX3C" / 6..9 only where allowed
 *   mode   "accel", "cca" or "ep11"
 *
 * The parsers return 0, or -EINVAL and a static sentence in *why saying
 * what was expected (the caller prefixes the field path).
 */
#ifndef APSIM_SIMJSON_H
#define APSIM_SIMJSON_H

#include <stdbool.h>

#include <jansson.h>

#include <apvirt/bitmap.h>
#include <apvirt/host.h>

int apsim_json_id(const json_t *v, unsigned int *out, const char **why);

/*
 * One element of an id list: an id or a range; *first..*last inclusive.
 */
int apsim_json_id_range(const json_t *v, unsigned int *first,
			unsigned int *last, const char **why);

/* A type; legacy CEX2/CEX3 types give -EINVAL unless allow_legacy. */
int apsim_json_type(const json_t *v, bool allow_legacy, int *out,
		    const char **why);
bool apsim_type_is_legacy(int type);
/* The mode a legacy type implies (CEXnA accel, CEXnC cca). */
enum apv_mode apsim_legacy_mode(int type);

int apsim_json_mode(const json_t *v, enum apv_mode *out, const char **why);

/* "CEX8", "CEX3A", or "type 15" for others; returns buf (>= 16 bytes). */
const char *apsim_type_name(int type, char *buf);
const char *apsim_mode_name(enum apv_mode m); /* "accel", "cca", "ep11" */

/* Parse an id from text the way the JSON strings are read (decimal or
 * 0x hex); 0 or -EINVAL / -ERANGE (> 255). */
int apsim_parse_id_text(const char *s, unsigned int *out);

#endif /* APSIM_SIMJSON_H */
