/*
 * The API's request paths: split into decoded segments, and matched
 * against the patterns of the dispatch table in api.c.  Pure (no I/O,
 * no router): unit-tested and fuzzed (tests/fuzz/fuzz_api.c).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "api.h"

/*
 * Split the path at '/' and decode each segment on its own, so that an
 * encoded '/' (%2F) stays inside its segment: /api/v1/routes/2001:db8::%2F48.
 * Empty segments are skipped.  -1 for a path too long or a NUL in it;
 * the segments decoded so far (*nseg of them) are the caller's to free
 * either way.
 */
int
api_path_split(const char *path, char *seg[API_MAX_SEGS], int *nseg)
{
	const char	*p = path, *end;
	char		 raw[512];
	size_t		 n, dlen;

	*nseg = 0;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (*nseg == API_MAX_SEGS || n >= sizeof(raw))
			return -1;
		memcpy(raw, p, n);
		raw[n] = '\0';
		seg[*nseg] = evhttp_uridecode(raw, 0, &dlen);
		if (seg[*nseg] == NULL)
			return -1;
		if (strlen(seg[(*nseg)++]) != dlen)
			return -1;
		p += n;
	}
	return 0;
}

/*
 * Whether the segments match pattern, a path in which a segment "*"
 * matches any one segment; arg[] gets the segments of the first
 * API_MAX_ARGS stars (references into seg), the others NULL.
 */
bool
api_path_match(char *const seg[], int nseg, const char *pattern,
    const char *arg[API_MAX_ARGS])
{
	const char	*p = pattern + 1, *end;
	size_t		 n;
	int		 i = 0, nargs = 0;

	memset(arg, 0, API_MAX_ARGS * sizeof(arg[0]));
	for (; *p != '\0'; i++) {
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (i == nseg)
			return false;
		if (n == 1 && *p == '*') {
			if (nargs < API_MAX_ARGS)
				arg[nargs++] = seg[i];
		} else if (strlen(seg[i]) != n || memcmp(seg[i], p, n) != 0)
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return i == nseg;
}
