// SPDX-License-Identifier: MIT
/* Built-in host topologies (include/apvirt/preset.h). */
#include <errno.h>
#include <string.h>

#include <apvirt/preset.h>

const char *const apv_preset_names[] = {"default", "max", NULL};

static void preset_default(struct apv_preset *p)
{
	static const unsigned int doms[] = {0x04, 0x47, 0x54};

	p->ad[0] = (struct apv_adapter_spec){
		.id = 0x04, .type = APV_TYPE_CEX8, .mode = APV_MODE_ACCEL};
	p->ad[1] = (struct apv_adapter_spec){
		.id = 0x05, .type = APV_TYPE_CEX8, .mode = APV_MODE_CCA};
	p->cfg.n_adapters = 2;
	for (size_t i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
		apv_bm_set(&p->cfg.domains, doms[i]);
		apv_bm_set(&p->cfg.control_domains, doms[i]);
	}
}

static void preset_max(struct apv_preset *p)
{
	for (unsigned int a = 0; a < 256; a++)
		p->ad[a] = (struct apv_adapter_spec){
			.id = a, .type = APV_TYPE_CEX8, .mode = APV_MODE_ACCEL};
	p->cfg.n_adapters = 256;
	apv_bm_fill(&p->cfg.domains);
	apv_bm_fill(&p->cfg.control_domains);
}

int apv_preset_init(struct apv_preset *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	apv_host_config_init(&p->cfg);
	p->cfg.adapters = p->ad;
	if (!strcmp(name, "default"))
		preset_default(p);
	else if (!strcmp(name, "max"))
		preset_max(p);
	else
		return -ENOENT;
	return 0;
}
