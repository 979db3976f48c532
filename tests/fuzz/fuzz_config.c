/*
 * libFuzzer target: config_parse() on arbitrary bytes.  One config is
 * reused for every input, as a daemon reloading its file would, so
 * state left over from an earlier parse or a leak shows up.  Seeds:
 * tests/fixtures/configs/valid.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void check_group(const struct cfg_group *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	*conf;
	char			 err[256];
	int			 i;

	if (conf == NULL)
		conf = config_new();
	err[0] = '\0';
	if (config_parse((const char *)data, size, conf, err,
	    sizeof(err)) == -1) {
		/* every failure explains itself */
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (conf->nifaces < 1 || conf->nifaces > CFG_MAX_IFACES ||
	    conf->nroutes < 0 || conf->nroutes > CFG_MAX_ROUTES)
		abort();
	for (i = 0; i < conf->nifaces; i++)
		if (conf->ifaces[i].name[0] == '\0' ||
		    conf->ifaces[i].naddrs > CFG_MAX_ADDRS ||
		    conf->ifaces[i].nprefixes > CFG_MAX_PREFIXES ||
		    conf->ifaces[i].mac[0] & 0x01)
			abort();
	if (conf->ngroups < 0 || conf->ngroups > CFG_MAX_GROUPS ||
	    conf->flows.max < 16 || conf->flows.syn_ms < 100)
		abort();
	for (i = 0; i < conf->ngroups; i++)
		check_group(&conf->groups[i]);
	return 0;
}

static void
check_group(const struct cfg_group *g)
{
	if (strnlen(g->name, CFG_NAME_LEN) == CFG_NAME_LEN ||
	    (unsigned int)g->policy >= POLICY_MAX ||
	    (unsigned int)g->rh_mode >= RH_MODE_MAX ||
	    !policy_ratios_valid(&g->ratios) ||
	    g->probe.retest_max_ms < g->probe.retest_ms ||
	    g->nkeys < 0 || g->nkeys > CFG_MAX_KEYS ||
	    g->max_members < 1 || g->max_members > CFG_MAX_MEMBERS ||
	    g->nmembers < 0 || (uint32_t)g->nmembers > g->max_members ||
	    IN6_IS_ADDR_MULTICAST(&g->addr))
		abort();
}
