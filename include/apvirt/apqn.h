/* SPDX-License-Identifier: MIT */
/*
 * AP queue numbers: APQN = (APID << 8) | APQI, and their text forms.
 */
#ifndef APVIRT_APQN_H
#define APVIRT_APQN_H

#include <stddef.h>
#include <stdint.h>

typedef uint16_t apv_apqn;

#define APV_APQN(apid, apqi)                                                 \
	((apv_apqn)((((unsigned int)(apid) & 0xff) << 8) |                   \
		    ((unsigned int)(apqi) & 0xff)))

static inline unsigned int apv_apqn_apid(apv_apqn q)
{
	return q >> 8;
}

static inline unsigned int apv_apqn_apqi(apv_apqn q)
{
	return q & 0xff;
}

/* "05.0047" + NUL */
#define APV_APQN_STRLEN 8
/* "card05" + NUL */
#define APV_CARD_STRLEN 7

/* Queue device name: two lowercase hex digits, '.', four. Returns buf. */
char *apv_apqn_str(apv_apqn q, char buf[APV_APQN_STRLEN]);
/* Card device name "cardXX". Returns buf. */
char *apv_card_str(unsigned int apid, char buf[APV_CARD_STRLEN]);

/*
 * Parse a queue device name "XX.YYYY" exactly (hex, either case) of len
 * bytes; one trailing '\n' is ignored (as driver-core bind/unbind do).
 * Returns 0 or -EINVAL.  The APQI must be < 256.
 */
int apv_apqn_parse(const char *s, size_t len, apv_apqn *out);
/* Parse "cardXX" (same rules). Returns 0 or -EINVAL. */
int apv_card_parse(const char *s, size_t len, unsigned int *apid);

#endif /* APVIRT_APQN_H */
