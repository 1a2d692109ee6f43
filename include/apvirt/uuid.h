/* SPDX-License-Identifier: MIT */
/*
 * UUIDs in their canonical text form, 8-4-4-4-12 hex digits with '-' at
 * offsets 8, 13, 18 and 23: the one parser and formatter of every layer.
 * (The mdev type's `create` grammar, which also takes a 37th byte, is
 * apv_parse_uuid() in parse.h, built on this.)
 */
#ifndef APVIRT_UUID_H
#define APVIRT_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APV_UUID_STRLEN 36 /* characters, without the NUL */

/* Exactly 36 characters, digits of either case: 0 and out, or -EINVAL. */
int apv_uuid_parse(const char *s, size_t len, uint8_t out[16]);
/* s (NUL-terminated) is a canonical UUID of either case. */
bool apv_uuid_is(const char *s);
/* Lowercase text form (37 bytes with the NUL); returns buf. */
char *apv_uuid_str(const uint8_t uuid[16], char buf[APV_UUID_STRLEN + 1]);

#endif /* APVIRT_UUID_H */
