// SPDX-License-Identifier: MIT
/*
 * `uevent` files of every device (spec vfio-ap-semantics.md §1.3-§1.5):
 * the store checks the action word, the shows share MODE= and DRIVER=.
 */
#include <errno.h>
#include <string.h>

#include "model.h"
#include "sysfs_int.h"

/*
 * Device `uevent` (RW 0644): show prints the device's uevent variables in
 * the driver core's order (DEVTYPE, DRIVER, then the bus's own); a store
 * asks for a synthetic uevent, which nobody listens to here, so only the
 * action word is checked (kobject_synth_uevent: -EINVAL otherwise).
 */
bool apv_uevent_action_valid(const char *buf, size_t len)
{
	static const char *const actions[] = {"add",  "remove", "change",
					      "move", "online", "offline",
					      "bind", "unbind"};
	size_t n = 0;

	len = strnlen(buf, len);
	while (n < len && buf[n] != ' ' && buf[n] != '\n')
		n++;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strlen(actions[i]) == n && !memcmp(buf, actions[i], n))
			return true;
	return false;
}

int apv_sysfs_uevent_store(struct actx *c, const char *buf, size_t len)
{
	if (apv_uevent_action_valid(buf, len))
		return 0;
	return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
			      "unknown uevent action");
}

int apv_sysfs_uevent_mode(struct apv_strbuf *sb, const struct apv_card *card)
{
	uint32_t f = card->functions;

	if (f & APV_FUNC_ACCEL)
		return apv_sb_puts(sb, "MODE=accel\n");
	if (f & APV_FUNC_CCA)
		return apv_sb_puts(sb, "MODE=cca\n");
	if (f & APV_FUNC_EP11)
		return apv_sb_puts(sb, "MODE=ep11\n");
	return 0;
}

int apv_sysfs_uevent_driver(struct apv_strbuf *sb, const struct apv_driver *drv)
{
	return drv ? apv_sb_printf(sb, "DRIVER=%s\n", drv->name) : 0;
}
