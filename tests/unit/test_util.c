/*
 * Unit tests for common/util.c: the names of enum values.
 */
#include <criterion/criterion.h>

#include "util.h"

static const char *const ut_names[] = {
	[0] = "zero",
	[2] = "two",		/* [1] has no name */
	[3] = "three",
};

Test(util, name_get)
{
	cr_assert_str_eq(name_get(ut_names, NITEMS(ut_names), 0), "zero");
	cr_assert_str_eq(name_get(ut_names, NITEMS(ut_names), 3), "three");
	cr_assert_str_eq(name_get(ut_names, NITEMS(ut_names), 1), "unknown");
	cr_assert_str_eq(name_get(ut_names, NITEMS(ut_names), 4), "unknown");
	cr_assert_str_eq(name_get(ut_names, NITEMS(ut_names), -1), "unknown");
}

Test(util, name_find)
{
	cr_assert_eq(name_find(ut_names, NITEMS(ut_names), "zero"), 0);
	cr_assert_eq(name_find(ut_names, NITEMS(ut_names), "two"), 2);
	cr_assert_eq(name_find(ut_names, NITEMS(ut_names), "three"), 3);
	cr_assert_eq(name_find(ut_names, NITEMS(ut_names), "one"), -1);
	cr_assert_eq(name_find(ut_names, NITEMS(ut_names), "Two"), -1);
	cr_assert_eq(name_find(ut_names, NITEMS(ut_names), ""), -1);
	cr_assert_eq(name_find(ut_names, NITEMS(ut_names), NULL), -1);
}
