// SPDX-License-Identifier: MIT
/* Host lifecycle: boot the machine, the AP bus and vfio_ap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/parse.h>

#include "host_int.h"

const char *apv_kernel_name(enum apv_kernel k)
{
	return k == APV_KERNEL_6_1 ? "6.1" : "6.12";
}

enum apv_kernel apv_host_kernel(const struct apv_host *host)
{
	return host->kernel;
}

void apv_host_config_init(struct apv_host_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kernel = APV_KERNEL_6_12;
	cfg->qci = true;
	cfg->apxa = true;
	cfg->qact = true;
	cfg->apsc = true;
	cfg->rc8a = true;
	cfg->irq = true;
	cfg->na = 255;
	cfg->nd = 255;
}

static int check_config(const struct apv_host_config *cfg)
{
	unsigned int maxd = cfg->apxa ? cfg->nd : 15;
	struct apv_bitmap seen;
	int rc, d;

	if (cfg->kernel != APV_KERNEL_6_1 && cfg->kernel != APV_KERNEL_6_12)
		return apv_fail(-EINVAL, APV_RULE_SYNTAX,
				"kernel: unknown profile %d", (int)cfg->kernel);
	if (cfg->na > 255)
		return apv_fail(-EINVAL, APV_RULE_RANGE,
				"na: highest APID %u is above 255", cfg->na);
	if (cfg->nd > 255)
		return apv_fail(-EINVAL, APV_RULE_RANGE,
				"nd: highest APQI %u is above 255", cfg->nd);
	if (cfg->n_adapters && !cfg->adapters)
		return apv_fail(-EINVAL, APV_RULE_SYNTAX,
				"adapters: NULL with n_adapters %zu",
				cfg->n_adapters);
	apv_bm_zero(&seen);
	for (size_t i = 0; i < cfg->n_adapters; i++) {
		const struct apv_adapter_spec *s = &cfg->adapters[i];

		rc = apv_hw_check_spec(cfg, s);
		if (rc) {
			/* name the field: "adapters[i]: <what is wrong>" */
			struct apv_reason *r = apv_reason_mut();
			char pfx[32];
			size_t n = (size_t)snprintf(pfx, sizeof(pfx),
						    "adapters[%zu]: ", i);
			size_t have = strnlen(r->msg, sizeof(r->msg) - 1);

			if (have + n > sizeof(r->msg) - 1)
				have = sizeof(r->msg) - 1 - n;
			memmove(r->msg + n, r->msg, have);
			memcpy(r->msg, pfx, n);
			r->msg[n + have] = '\0';
			return rc;
		}
		if (apv_bm_test(&seen, s->id))
			return apv_fail(-EINVAL, APV_RULE_EXISTS,
					"adapters[%zu]: id %02x is listed twice",
					i, s->id);
		apv_bm_set(&seen, s->id);
	}
	d = apv_bm_next(&cfg->domains, maxd + 1);
	if (d >= 0)
		return apv_fail(-EINVAL, APV_RULE_RANGE,
				"domains: %d is above the highest APQI %u", d,
				maxd);
	d = apv_bm_next(&cfg->control_domains, maxd + 1);
	if (d >= 0)
		return apv_fail(-EINVAL, APV_RULE_RANGE,
				"control_domains: %d is above the highest APQI %u",
				d, maxd);
	return 0;
}

/* A boot parameter mask starts at zero; a parse error leaves it zero. */
static void boot_mask(const char *s, struct apv_bitmap *m)
{
	struct apv_bitmap zero, out;

	if (!s) {
		apv_bm_fill(m);
		return;
	}
	apv_bm_zero(&zero);
	if (apv_parse_mask(s, strlen(s), &zero, &out) == 0)
		*m = out;
	else
		*m = zero;
}

int apv_host_new(const struct apv_host_config *cfg, struct apv_host **out)
{
	struct apv_host *host;
	int rc;

	apv_reason_clear();
	rc = check_config(cfg);
	if (rc)
		return rc;
	host = calloc(1, sizeof(*host));
	if (!host)
		return apv_fail(-ENOMEM, APV_RULE_NO_MEMORY, "out of memory");
	rc = apv_hw_workers_init(host);
	if (rc) {
		free(host);
		return apv_fail(rc, APV_RULE_NO_MEMORY, "out of resources");
	}
	apv_lock_init(&host->lock);
	pthread_cond_init(&host->cond, NULL);
	host->kernel = cfg->kernel;
	host->remove_slice_ms = 10000;
	host->hw.cfg = *cfg;
	host->hw.cfg.adapters = NULL;
	host->hw.cfg.n_adapters = 0;
	host->hw.cfg.apmask = NULL;
	host->hw.cfg.aqmask = NULL;
	host->hw.cfg.devev = NULL;
	host->hw.cfg.devev_opaque = NULL;
	host->devev.fn = cfg->devev;
	host->devev.opaque = cfg->devev ? cfg->devev_opaque : NULL;
	host->log.e = calloc(APV_LOG_CAPACITY, sizeof(*host->log.e));
	host->log.next_seq = 1;
	for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
		host->hw.ad[a].q = calloc(APV_MAX_IDS, sizeof(struct apv_hw_queue));
		if (!host->hw.ad[a].q) {
			apv_host_free(host);
			return apv_fail(-ENOMEM, APV_RULE_NO_MEMORY,
					"out of memory");
		}
	}
	if (!host->log.e) {
		apv_host_free(host);
		return apv_fail(-ENOMEM, APV_RULE_NO_MEMORY, "out of memory");
	}
	apv_lock(host);
	host->hw.aqm = cfg->domains;
	host->hw.adm = cfg->control_domains;
	for (size_t i = 0; i < cfg->n_adapters; i++)
		apv_hw_install_locked(host, &cfg->adapters[i]);
	boot_mask(cfg->apmask, &host->bus.apmask);
	boot_mask(cfg->aqmask, &host->bus.aqmask);
	rc = apv_bus_init_locked(host);
	if (!rc) {
		apv_bus_scan_locked(host);
		if (!cfg->no_vfio_ap)
			rc = apv_vfio_init_locked(host);
	}
	apv_unlock(host);
	if (rc) {
		apv_host_free(host);
		return rc;
	}
	apv_reason_clear();
	*out = host;
	return 0;
}

void apv_host_free(struct apv_host *host)
{
	if (!host)
		return;
	apv_hw_workers_fini(host); /* joins the workers: nothing runs now */
	apv_lock(host);
	/* tearing the host down announces no device events */
	host->devev.fn = NULL;
	while (host->kvms) {
		struct apv_kvm *k = host->kvms;

		apv_unlock(host);
		apv_kvm_free(k);
		apv_lock(host);
	}
	apv_vfio_fini_locked(host);
	apv_bus_fini_locked(host);
	apv_hw_discard_all_locked(host);
	apv_unlock(host);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++)
		free(host->hw.ad[a].q);
	free(host->log.e);
	pthread_cond_destroy(&host->cond);
	apv_lock_destroy(&host->lock);
	free(host);
}

void apv_host_set_filter_algo(struct apv_host *host, enum apv_filter_algo a)
{
	apv_lock(host);
	host->vfio.algo = a;
	apv_unlock(host);
}

void apv_host_stats(struct apv_host *host, struct apv_host_stats *out)
{
	apv_lock(host);
	*out = host->stats;
	apv_unlock(host);
}
