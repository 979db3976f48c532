/*
 * The shim's table: bounded, one table per pair (A, U) shared by its
 * connections and freed with the last one.
 */
#include <arpa/inet.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../hosts/client/client.h"

static struct cl_conn
clm_conn(const char *a, const char *u, uint16_t lport)
{
	struct cl_conn	 c;

	memset(&c, 0, sizeof(c));
	inet_pton(AF_INET6, a, &c.any);
	inet_pton(AF_INET6, u, &c.member);
	c.lport = lport;
	c.rport = 80;
	return c;
}

Test(client_map, tables_shared_and_freed)
{
	struct cl_maps	 m;
	struct cl_conn	 c1 = clm_conn("2001:db8:ac::1", "2001:db8:21::10", 1);
	struct cl_conn	 c2 = clm_conn("2001:db8:ac::1", "2001:db8:21::10", 2);
	struct cl_conn	 c3 = clm_conn("2001:db8:ac::1", "2001:db8:22::10", 3);
	struct cl_map	*e1, *e2, *e3;
	bool		 fresh;

	cr_assert_eq(cl_maps_init(&m, 3), 0);
	e1 = cl_maps_reserve(&m, &c1, &fresh);
	cr_assert_not_null(e1);
	cr_expect(fresh, "first connection of (A, U1): a new table");
	cl_maps_commit(&m, e1, 10);
	e2 = cl_maps_reserve(&m, &c2, &fresh);
	cr_assert_not_null(e2);
	cr_expect(!fresh, "second connection of (A, U1): the same table");
	cr_expect_eq(e2->table, e1->table);
	cl_maps_commit(&m, e2, 20);
	e3 = cl_maps_reserve(&m, &c3, &fresh);
	cr_assert_not_null(e3);
	cr_expect(fresh);
	cr_expect_neq(e3->table, e1->table);
	cl_maps_commit(&m, e3, 30);
	cr_expect_eq(m.n, 3);

	cr_expect_null(cl_maps_reserve(&m, &c1, &fresh), "full");
	cr_expect_eq(cl_maps_find(&m, &c2.any, 2, 80), e2);
	cr_expect_null(cl_maps_find(&m, &c2.any, 2, 81));

	cr_expect(!cl_maps_release(&m, e1), "U1's table still used");
	cr_expect(cl_maps_release(&m, e2), "U1's table now empty");
	cr_expect_null(cl_maps_find(&m, &c2.any, 2, 80));
	cr_expect_eq(m.n, 1);
	e1 = cl_maps_reserve(&m, &c1, &fresh);
	cr_assert_not_null(e1);
	cr_expect(fresh, "an emptied table is installed again");
	cl_maps_free(&m);
}

/* An entry reserved but never committed leaves no trace. */
Test(client_map, reserve_without_commit)
{
	struct cl_maps	 m;
	struct cl_conn	 c = clm_conn("2001:db8:ac::1", "2001:db8:21::10", 1);
	bool		 fresh;

	cr_assert_eq(cl_maps_init(&m, 1), 0);
	cr_assert_not_null(cl_maps_reserve(&m, &c, &fresh));
	cr_expect_eq(m.n, 0);
	cr_expect_null(cl_maps_find(&m, &c.any, 1, 80));
	cr_assert_not_null(cl_maps_reserve(&m, &c, &fresh));
	cr_expect(fresh);
	cl_maps_free(&m);
}
