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

#include "vrouter.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
	return 0;
}
