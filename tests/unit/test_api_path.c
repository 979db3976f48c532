/*
 * The API's request paths (api_path.c): split into decoded segments,
 * matched against dispatch patterns.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "api.h"

static int
ap_split(const char *path, char *seg[API_MAX_SEGS])
{
	int	 n;

	cr_assert_eq(api_path_split(path, seg, &n), 0, "%s refused", path);
	return n;
}

static void
ap_free(char *seg[], int n)
{
	for (int i = 0; i < n; i++)
		free(seg[i]);
}

Test(api_path, split_decodes_each_segment)
{
	char	*seg[API_MAX_SEGS];
	int	 n = ap_split("//api/v1/routes/2001:db8::%2F48/", seg);

	cr_assert_eq(n, 4);
	cr_assert_str_eq(seg[0], "api");
	cr_assert_str_eq(seg[2], "routes");
	cr_assert_str_eq(seg[3], "2001:db8::/48", "%%2F stays in its segment");
	ap_free(seg, n);
	cr_assert_eq(ap_split("/", seg), 0);
}

Test(api_path, split_refuses)
{
	char	*seg[API_MAX_SEGS], long_seg[600];
	int	 n;

	cr_assert_eq(api_path_split("/a/b%00c", seg, &n), -1, "a NUL");
	ap_free(seg, n);
	cr_assert_eq(api_path_split("/1/2/3/4/5/6/7/8/9", seg, &n), -1,
	    "too many segments");
	cr_assert_eq(n, API_MAX_SEGS);
	ap_free(seg, n);
	memset(long_seg, 'a', sizeof(long_seg) - 1);
	long_seg[0] = '/';
	long_seg[sizeof(long_seg) - 1] = '\0';
	cr_assert_eq(api_path_split(long_seg, seg, &n), -1, "segment too long");
	cr_assert_eq(n, 0);
}

Test(api_path, match_with_stars)
{
	char		*seg[API_MAX_SEGS];
	const char	*arg[API_MAX_ARGS];
	int		 n = ap_split("/api/v1/groups/g1/members/m1", seg);

	cr_assert(api_path_match(seg, n, "/api/v1/groups/*/members/*", arg));
	cr_assert_str_eq(arg[0], "g1");
	cr_assert_str_eq(arg[1], "m1");
	cr_assert_not(api_path_match(seg, n, "/api/v1/groups/*/members",
	    arg), "a segment more");
	cr_assert_not(api_path_match(seg, n,
	    "/api/v1/groups/*/members/*/x", arg), "a segment less");
	cr_assert_not(api_path_match(seg, n, "/api/v1/groups/*/member/*",
	    arg), "a literal differs");
	ap_free(seg, n);
	cr_assert(api_path_match(seg, 0, "/", arg), "the root");
	cr_assert_null(arg[0]);
}
