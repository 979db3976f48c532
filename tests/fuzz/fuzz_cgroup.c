/*
 * libFuzzer target for the cgroup file parsers of the member agent
 * (hosts/member/cgroup.c).  The input is read as cpu.stat and as
 * cpu.max (v2), and as the v1 files; what cpu.max accepts must be in the kernel's limits, and a
 * parse that fails must leave the output alone.  Any disagreement
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hosts/member/cgroup.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ma_cpumax	 m = { .quota = 7, .period = 7 };
	uint64_t		 usage = 7;
	char			*text;

	/* An exactly sized copy: ASan sees any read past the end. */
	if ((text = malloc(len == 0 ? 1 : len)) == NULL)
		return 0;
	memcpy(text, data, len);
	if (ma_cpustat_parse(text, len, &usage) == -1 && usage != 7)
		abort();
	if (ma_cpumax_parse(text, len, &m) == 0) {
		if (m.period < MA_CG_MIN_PERIOD || m.period > MA_CG_MAX_PERIOD)
			abort();
		if (m.unlimited ? m.quota != 0 : m.quota == 0)
			abort();
		if (ma_cgroup_pct(usage, 1000000, &m, 2) > 100)
			abort();
	} else if (m.quota != 7 || m.period != 7)
		abort();
	/* cgroup v1: the input split in two as the quota and the period. */
	if (ma_cfs_parse(text, len / 2, text + len / 2, len - len / 2,
	    &m) == 0 && (m.period < MA_CG_MIN_PERIOD ||
	    m.period > MA_CG_MAX_PERIOD))
		abort();
	(void)ma_cpuacct_parse(text, len, &usage);
	free(text);
	return 0;
}
