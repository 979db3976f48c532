/*
 * libFuzzer target for what the REST API parses from a request: the
 * path (api_path.c), the query of /api/v1/flows, and the JSON bodies of
 * the writing endpoints, each through the pure parser its handler calls.
 * The first byte chooses the parser, the rest is the input.
 *
 *  0  path: api_path_split(), then api_path_match() against every shape
 *     of pattern in the dispatch table; a match must agree with the
 *     pattern read independently (segment count, literal segments,
 *     the stars' arguments).
 *  1  query: api_flow_query(), paged or not; an accepted query keeps
 *     its limit within the maximum.
 *  2  body of POST /api/v1/captures        api_json_capture_req()
 *  3  body of PATCH .../members/{unicast}  api_json_member_patch()
 *  4  body of POST /api/v1/routes          config_parse_route()
 *  5  body of POST /api/v1/groups          config_parse_group()
 *  6  body of PATCH /api/v1/interfaces/{name}  config_parse_emulation()
 *  7  body of POST .../members             config_parse_member()
 * Every refusal must explain itself.  Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "linkem.h"
#include "api.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The shapes of the dispatch table's patterns (vrouter/api.c). */
static const char *const fz_patterns[] = {
	"/api/v1/status",
	"/api/v1/interfaces/*",
	"/api/v1/routes/*",
	"/api/v1/captures/*/stop",
	"/api/v1/groups/*/members",
	"/api/v1/groups/*/members/*",
	"/metrics",
	"/web/*",
	"/",
	"/*/*/*/*/*/*/*/*",
};

static void
explained(int rc, const char *err)
{
	if (rc == -1 && err[0] == '\0')
		abort();
}

/* The pattern's segments walked on their own. */
static void
check_match(char *const seg[], int nseg, const char *pattern,
    const char *arg[API_MAX_ARGS])
{
	char		 copy[128], *save = NULL, *s;
	int		 i = 0, stars = 0;

	strncpy(copy, pattern, sizeof(copy) - 1);
	copy[sizeof(copy) - 1] = '\0';
	for (s = strtok_r(copy, "/", &save); s != NULL;
	    s = strtok_r(NULL, "/", &save), i++) {
		if (i >= nseg)
			abort();
		if (strcmp(s, "*") == 0) {
			if (stars < API_MAX_ARGS && arg[stars++] != seg[i])
				abort();
		} else if (strcmp(s, seg[i]) != 0)
			abort();
	}
	if (i != nseg)
		abort();
	for (; stars < API_MAX_ARGS; stars++)
		if (arg[stars] != NULL)
			abort();
}

static void
fz_path(const char *path)
{
	char		*seg[API_MAX_SEGS];
	const char	*arg[API_MAX_ARGS];
	int		 nseg, i;
	size_t		 p;

	if (api_path_split(path, seg, &nseg) == 0) {
		for (i = 0; i < nseg; i++)
			if (seg[i] == NULL || seg[i][0] == '\0')
				abort();
		for (p = 0; p < sizeof(fz_patterns) / sizeof(fz_patterns[0]);
		    p++)
			if (api_path_match(seg, nseg, fz_patterns[p], arg))
				check_match(seg, nseg, fz_patterns[p], arg);
	}
	if (nseg < 0 || nseg > API_MAX_SEGS)
		abort();
	for (i = 0; i < nseg; i++)
		free(seg[i]);
}

static void
fz_query(const char *query, bool paged)
{
	struct api_flow_query	 q;
	char			 err[256] = "";
	int			 rc;

	rc = api_flow_query(query, paged, &q, err, sizeof(err));
	explained(rc, err);
	if (rc == 0 && (q.limit > API_FLOWS_LIMIT_MAX ||
	    (!paged && (q.offset != 0 || q.limit != API_FLOWS_LIMIT))))
		abort();
}

static void
fz_body(int which, const char *text, size_t len)
{
	static struct cfg_group		 cg;
	struct api_capture_req		 cr;
	struct api_member_patch		 mp;
	struct cfg_route		 rt;
	struct cfg_member		 cm;
	struct linkem_conf		 em[LINKEM_DIRS];
	json_t				*body;
	json_error_t			 jerr;
	char				 err[512] = "";

	if ((body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL)
		return;
	switch (which) {
	case 2:
		explained(api_json_capture_req(body, &cr, err, sizeof(err)),
		    err);
		break;
	case 3:
		explained(api_json_member_patch(body, &mp, err, sizeof(err)),
		    err);
		break;
	case 4:
		explained(config_parse_route(body, "", &rt, err, sizeof(err)),
		    err);
		break;
	case 5:
		memset(&cg, 0, sizeof(cg));
		explained(config_parse_group(body, "body", &cg, NULL, err,
		    sizeof(err)), err);
		break;
	case 6:
		memset(em, 0, sizeof(em));
		explained(config_parse_emulation(body, "emulation", em, err,
		    sizeof(err)), err);
		break;
	default:
		memset(&cg, 0, sizeof(cg));
		explained(config_parse_member(body, "body", &cm, &cg, NULL,
		    err, sizeof(err)), err);
		break;
	}
	json_decref(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text;
	int	 which;

	if (size < 1 || size > 8192)
		return 0;
	which = data[0] % 8;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';		/* a path or query is a C string */
	if (which == 0)
		fz_path(text);
	else if (which == 1)
		fz_query(text, (data[0] & 0x80) != 0);
	else
		fz_body(which, text, size - 1);
	free(text);
	return 0;
}
