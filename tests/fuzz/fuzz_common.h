/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the libFuzzer targets.
 */
#ifndef APVIRT_FUZZ_COMMON_H
#define APVIRT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Invariant violated: crash so that libFuzzer records the input. */
#define FUZZ_ASSERT(cond)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

/* A NUL-terminated heap copy of data (so ASan sees exact bounds). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An exact-size heap copy of data (no terminator past the end). */
static inline char *fuzz_dup(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	return s;
}

#endif /* APVIRT_FUZZ_COMMON_H */
