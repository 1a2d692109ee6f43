// SPDX-License-Identifier: MIT
/*
 * apvirt-demo: a readable vfio_ap session on the library, before the
 * simulated host's file system exists.  Every step is shown as the shell
 * command an administrator would type on an s390 host, and the model
 * answers exactly what the kernel's sysfs would: the file's content, or
 * the write's errno plus the reason apvirt records for it.
 *
 * Usage: apvirt-demo [--kernel 6.1|6.12]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/log.h>
#include <apvirt/parse.h>
#include <apvirt/preset.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#define UUID "4b0c0a2e-6b3b-4c51-9d2e-6f0e5a1c7d01"
#define MATRIX "/sys/devices/vfio_ap/matrix"
#define MDEV MATRIX "/" UUID

static struct apv_host *host;
static uint8_t mdev_uuid[16];
static uint64_t log_seen;
static int failures;

static void path_of(const struct apv_obj *o, const char *attr, char *buf,
		    size_t len)
{
	char n[APV_APQN_STRLEN], c[APV_CARD_STRLEN], u[37];

	switch (o->kind) {
	case APV_OBJ_BUS:
		snprintf(buf, len, "/sys/bus/ap/%s", attr);
		break;
	case APV_OBJ_CARD:
		snprintf(buf, len, "/sys/devices/ap/%s/%s",
			 apv_card_str(apv_apqn_apid(o->apqn), c), attr);
		break;
	case APV_OBJ_QUEUE:
		snprintf(buf, len, "/sys/bus/ap/devices/%s/%s",
			 apv_apqn_str(o->apqn, n), attr);
		break;
	case APV_OBJ_DRIVER:
		snprintf(buf, len, "/sys/bus/ap/drivers/%s/%s", o->driver,
			 attr);
		break;
	case APV_OBJ_MATRIX:
		snprintf(buf, len, MATRIX "/%s", attr);
		break;
	case APV_OBJ_MDEV_TYPE:
		snprintf(buf, len,
			 MATRIX "/mdev_supported_types/vfio_ap-passthrough/%s",
			 attr);
		break;
	case APV_OBJ_MDEV:
		snprintf(buf, len, MATRIX "/%s/%s", apv_uuid_str(o->uuid, u),
			 attr);
		break;
	case APV_OBJ_ZCRYPT:
		snprintf(buf, len, "/sys/class/zcrypt/%s", attr);
		break;
	case APV_OBJ_ZCDN:
		snprintf(buf, len, "/sys/class/zcrypt/%s/%s", o->driver, attr);
		break;
	}
}

/* New kernel log lines since the last step, like `dmesg` would add. */
static void show_dmesg(void)
{
	struct apv_log_entry e[32];
	size_t n = apv_log_read(host, log_seen, e, 32);

	for (size_t i = 0; i < n; i++) {
		printf("  [dmesg] %s%s%s\n", e[i].device,
		       e[i].device[0] ? ": " : "", e[i].text);
		log_seen = e[i].seq;
	}
}

static void cat(struct apv_obj o, const char *attr)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char path[160];
	int rc;

	path_of(&o, attr, path, sizeof(path));
	printf("# cat %s\n", path);
	rc = apv_attr_read(host, &o, attr, &sb);
	if (rc < 0) {
		printf("cat: %s: %s\n", path, strerror(-rc));
		failures++;
	} else if (sb.len == 0) {
		printf("  (empty)\n");
	} else {
		const char *s = apv_sb_str(&sb);

		while (*s) {
			const char *nl = strchr(s, '\n');
			int l = nl ? (int)(nl - s) : (int)strlen(s);

			printf("  %.*s\n", l, s);
			s += l + (nl ? 1 : 0);
		}
	}
	apv_sb_free(&sb);
}

/* Write like `echo VALUE > PATH`; expect = 0 for success or -errno. */
static void echo(struct apv_obj o, const char *attr, const char *value,
		 int expect)
{
	char path[160], buf[128];
	ssize_t rc;

	path_of(&o, attr, path, sizeof(path));
	printf("# echo %s > %s\n", value, path);
	snprintf(buf, sizeof(buf), "%s\n", value);
	rc = apv_attr_write(host, &o, attr, buf, strlen(buf));
	if (rc < 0) {
		const struct apv_reason *r = apv_reason_last();

		printf("  write error: %s (%s)\n", strerror((int)-rc),
		       strerrorname_np((int)-rc));
		if (r->msg[0])
			printf("  apvirt: %s [rule %s]\n", r->msg,
			       apv_rule_name(r->rule));
	}
	if ((rc < 0 ? rc : 0) != expect) {
		printf("  !! expected %s\n",
		       expect ? strerrorname_np(-expect) : "success");
		failures++;
	}
	show_dmesg();
}

static void step(const char *title)
{
	show_dmesg();
	printf("\n=== %s ===\n", title);
}

static void matrices(void)
{
	cat(apv_obj_mdev(mdev_uuid), "matrix");
	cat(apv_obj_mdev(mdev_uuid), "guest_matrix");
}

/* Which driver each queue is bound to, and vfio_ap's status of it. */
static void queues(void)
{
	struct apv_bitmap cards, qs;

	printf("  queue     driver      status        zeroized\n");
	apv_bus_cards(host, &cards);
	apv_bm_for_each(a, &cards) {
		if (apv_bus_card_queues(host, (unsigned int)a, &qs))
			continue;
		apv_bm_for_each(d, &qs) {
			apv_apqn q = APV_APQN(a, d);
			enum apv_queue_status st;
			char name[APV_APQN_STRLEN], driver[32];

			apv_apqn_str(q, name);
			apv_bus_device_driver(host, name, driver,
					      sizeof(driver));
			printf("  %s   %-10s  %-12s  %llu\n", name,
			       driver[0] ? driver : "-",
			       apv_vfio_queue_status(host, q, &st) ?
				       "" :
				       apv_queue_status_name(st),
			       (unsigned long long)apv_hw_queue_zeroized(host,
									 q));
		}
	}
}

static void guest_view(struct apv_kvm *k)
{
	struct apv_apcb g;
	int n = 0;

	apv_kvm_apcb(k, &g);
	printf("  guest %s CRYCB (format %d): queues", apv_kvm_name(k),
	       apv_kvm_crycb_format(k));
	apv_bm_for_each(a, &g.apm) {
		apv_bm_for_each(d, &g.aqm) {
			printf(" %02x.%04x", a, d);
			n++;
		}
	}
	printf("%s; control domains", n ? "" : " none");
	n = 0;
	apv_bm_for_each(d, &g.adm) {
		printf(" %04x", d);
		n++;
	}
	printf("%s\n", n ? "" : " none");
}

int main(int argc, char **argv)
{
	struct apv_obj bus = apv_obj_bus(), type = apv_obj_mdev_type();
	struct apv_obj vfio = apv_obj_driver("vfio_ap"), mdev;
	struct apv_preset p;
	struct apv_kvm *guest;
	int rc;

	if (apv_preset_init(&p, "default"))
		return 1;
	if (argc == 3 && !strcmp(argv[1], "--kernel"))
		p.cfg.kernel = !strcmp(argv[2], "6.1") ? APV_KERNEL_6_1
						       : APV_KERNEL_6_12;
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--kernel 6.1|6.12]\n", argv[0]);
		return 2;
	}
	rc = apv_host_new(&p.cfg, &host);
	if (rc) {
		fprintf(stderr, "apvirt-demo: cannot boot the host: %s\n",
			apv_reason_last()->msg);
		return 1;
	}
	apv_parse_uuid(UUID, 36, mdev_uuid);
	mdev = apv_obj_mdev(mdev_uuid);

	printf("apvirt demo: a simulated IBM Z host, Linux %s AP bus and vfio_ap\n"
	       "Host: CEX8 adapters 04 (accelerator) and 05 (CCA), usage and "
	       "control domains 0004, 0047, 0054.\n",
	       apv_kernel_name(p.cfg.kernel));

	step("1. At boot the host's zcrypt drivers own every queue");
	cat(bus, "ap_adapter_mask");
	cat(bus, "ap_usage_domain_mask");
	cat(bus, "apmask");
	cat(bus, "aqmask");
	queues();
	cat(bus, "bindings");

	step("2. Reserve domains 0x47 and 0x54 away from the host: vfio_ap takes the queues");
	echo(bus, "aqmask", "-0x47,-0x54", 0);
	cat(bus, "aqmask");
	queues();

	step("3. Create a mediated device and assign adapters and domains");
	cat(type, "available_instances");
	echo(type, "create", UUID, 0);
	echo(mdev, "assign_adapter", "4", 0);
	echo(mdev, "assign_adapter", "5", 0);
	echo(mdev, "assign_domain", "0x47", 0);
	echo(mdev, "assign_domain", "0x54", 0);
	echo(mdev, "assign_control_domain", "0x47", 0);
	echo(mdev, "assign_control_domain", "0x54", 0);
	matrices();
	cat(mdev, "control_domains");

	step("4. Refusals name the rule: domain 4 is still the host's");
	echo(mdev, "assign_domain", "4", -EADDRNOTAVAIL);
	echo(mdev, "assign_adapter", "0x100", -ENODEV);

	step("5. Start a guest on the mdev (QEMU opens the vfio device)");
	if (apv_kvm_new(host, "guest1", APV_CPU_DEFAULT, &guest) ||
	    apv_mdev_set_kvm(host, mdev_uuid, guest) ||
	    apv_mdev_open(host, mdev_uuid)) {
		printf("  !! could not start the guest: %s\n",
		       apv_reason_last()->msg);
		failures++;
	}
	guest_view(guest);
	queues();

	step("6. Unbind queue 05.0054 from vfio_ap: adapter 05 is unplugged whole");
	echo(vfio, "unbind", "05.0054", 0);
	matrices();
	guest_view(guest);
	queues();

	step("7. Bind it again: adapter 05 is plugged back");
	echo(vfio, "bind", "05.0054", 0);
	cat(mdev, "guest_matrix");
	guest_view(guest);

	step("8. The host's configuration loses domain 0x54, then gets it back");
	apv_hw_domain_set(host, 0x54, false, 0);
	printf("  (hardware event: usage domain 0054 removed; bus scan)\n");
	matrices();
	guest_view(guest);
	apv_hw_domain_set(host, 0x54, true, 0);
	printf("  (hardware event: usage domain 0054 added; bus scan)\n");
	cat(mdev, "guest_matrix");
	guest_view(guest);

	step("9. Adapter 04 leaves the configuration and comes back");
	apv_hw_adapter_remove(host, 4, 0);
	printf("  (hardware event: adapter 04 removed; bus scan)\n");
	matrices();
	guest_view(guest);
	apv_hw_adapter_restore(host, 4, 0);
	printf("  (hardware event: adapter 04 added; bus scan)\n");
	cat(mdev, "guest_matrix");
	guest_view(guest);

	step("10. The host cannot take back queues an mdev holds");
	echo(bus, "aqmask", "+0x47", -EBUSY);
	cat(bus, "aqmask");

	step("11. A second mdev may not share an APQN");
	echo(type, "create", "4b0c0a2e-6b3b-4c51-9d2e-6f0e5a1c7d02", 0);
	{
		uint8_t u2[16];
		struct apv_obj m2;

		apv_parse_uuid("4b0c0a2e-6b3b-4c51-9d2e-6f0e5a1c7d02", 36, u2);
		m2 = apv_obj_mdev(u2);
		echo(m2, "assign_adapter", "5", 0);
		echo(m2, "assign_domain", "0x47", -EADDRINUSE);
		echo(m2, "remove", "1", 0);
	}

	step("12. The guest shuts down: its CRYCB is cleared, the queues zeroized");
	apv_mdev_close(host, mdev_uuid);
	guest_view(guest);
	queues();
	cat(mdev, "guest_matrix");
	echo(mdev, "remove", "1", 0);
	cat(type, "available_instances");
	show_dmesg();

	apv_kvm_free(guest);
	apv_host_free(host);
	printf("\n%s\n", failures ? "demo: UNEXPECTED RESULTS" :
				    "demo: every step behaved as the kernel does");
	return failures ? 1 : 0;
}
