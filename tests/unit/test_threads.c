// SPDX-License-Identifier: MIT
/*
 * The model is safe to call from several threads: mdev writers, a mask
 * writer, a binder, a hardware-event source and readers run at once; the
 * indices must still be consistent at the end and every call must return
 * one of the errnos its file can return.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <apvirt/bus.h>
#include <apvirt/format.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/parse.h>
#include <apvirt/vfio_ap.h>

#define ROUNDS 3000

static struct apv_host *host;
static volatile int bad_errno;

static uint32_t xs(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void expect_one_of(int rc, int a, int b, int c)
{
	if (rc != 0 && rc != a && rc != b && rc != c)
		__atomic_store_n(&bad_errno, rc, __ATOMIC_SEQ_CST);
}

static void *mdev_worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	uint32_t seed = 0x9e3779b9u * (id + 1);
	struct apv_kvm *k = NULL;
	char name[16];
	uint8_t u[16];
	char s[40];

	snprintf(s, sizeof(s), "%08x-0000-4000-8000-0000000000ff", id);
	apv_parse_uuid(s, 36, u);
	snprintf(name, sizeof(name), "g%u", id);
	if (apv_mdev_create(host, u) || apv_kvm_new(host, name,
						    APV_CPU_DEFAULT, &k))
		__atomic_store_n(&bad_errno, -1, __ATOMIC_SEQ_CST);
	apv_mdev_set_kvm(host, u, k);
	for (int i = 0; i < ROUNDS; i++) {
		unsigned int r = xs(&seed), v = (r >> 8) % 8;

		switch (r % 8) {
		case 0:
			expect_one_of(apv_mdev_assign_adapter(host, u, v),
				      -EADDRNOTAVAIL, -EADDRINUSE, -ENODEV);
			break;
		case 1:
			expect_one_of(apv_mdev_assign_domain(host, u, v),
				      -EADDRNOTAVAIL, -EADDRINUSE, -ENODEV);
			break;
		case 2:
			expect_one_of(apv_mdev_unassign_adapter(host, u, v),
				      -ENODEV, -ENODEV, -ENODEV);
			break;
		case 3:
			expect_one_of(apv_mdev_unassign_domain(host, u, v),
				      -ENODEV, -ENODEV, -ENODEV);
			break;
		case 4:
			expect_one_of(apv_mdev_assign_control_domain(host, u, v),
				      -ENODEV, -ENODEV, -ENODEV);
			break;
		case 5:
			expect_one_of(apv_mdev_open(host, u), -EBUSY, -EPERM,
				      -EINVAL);
			break;
		case 6:
			expect_one_of(apv_mdev_close(host, u), -EINVAL, -EINVAL,
				      -EINVAL);
			break;
		default:
			expect_one_of(apv_mdev_reset(host, u), -EIO, -EBUSY,
				      -EIO);
			break;
		}
	}
	apv_mdev_close(host, u);
	expect_one_of(apv_mdev_remove(host, u), -ENODEV, -ENODEV, -ENODEV);
	apv_kvm_free(k);
	return NULL;
}

static void *host_worker(void *arg)
{
	uint32_t seed = 12345;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		unsigned int r = xs(&seed), v = (r >> 8) % 8;
		char buf[16], q[8];
		struct apv_bitmap m;

		switch (r % 6) {
		case 0:
			snprintf(buf, sizeof(buf), "%c%u", r & 0x100 ? '+' : '-',
				 v);
			expect_one_of(apv_bus_store_mask(host, r & 0x200, buf,
							 strlen(buf)),
				      -EBUSY, -EBUSY, -EBUSY);
			break;
		case 1:
			snprintf(q, sizeof(q), "%02x.%04x", v, (r >> 12) % 8);
			expect_one_of(apv_bus_unbind(host, "vfio_ap", q),
				      -ENODEV, -ENODEV, -ENODEV);
			break;
		case 2:
			snprintf(q, sizeof(q), "%02x.%04x", v, (r >> 12) % 8);
			expect_one_of(apv_bus_bind(host, "vfio_ap", q), -ENODEV,
				      -EBUSY, -ENODEV);
			break;
		case 3:
			expect_one_of(apv_hw_adapter_configure(host, v,
							       r & 0x100, 0),
				      -ENODEV, -ENODEV, -ENODEV);
			break;
		case 4:
			expect_one_of(apv_hw_domain_set(host, v, r & 0x100,
							r & 0x200 ?
								APV_EV_NOSCAN :
								0),
				      -EINVAL, -EINVAL, -EINVAL);
			break;
		default:
			apv_bus_scan(host);
			apv_bus_masks(host, &m, NULL);
			break;
		}
	}
	return NULL;
}

static void test_concurrent_callers(void **state)
{
	struct apv_adapter_spec ad[8];
	struct apv_host_config c;
	pthread_t t[5];
	uint8_t(*list)[16];
	size_t n;

	apv_host_config_init(&c);
	for (unsigned int a = 0; a < 8; a++)
		ad[a] = (struct apv_adapter_spec){.id = a,
						  .type = APV_TYPE_CEX8};
	c.adapters = ad;
	c.n_adapters = 8;
	apv_bm_set_range(&c.domains, 0, 7);
	apv_bm_set_range(&c.control_domains, 0, 7);
	c.apmask = "0xf0";
	assert_int_equal(apv_host_new(&c, &host), 0);
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, mdev_worker,
						(void *)i), 0);
	assert_int_equal(pthread_create(&t[4], NULL, host_worker, NULL), 0);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(bad_errno, 0);
	assert_int_equal(apv_vfio_check_indices(host), 0);
	assert_int_equal(apv_mdev_list(host, &list, &n), 0);
	assert_int_equal(n, 0);
	free(list);
	apv_host_free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_callers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
