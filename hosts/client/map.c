/*
 * The connections on the direct path and the tables they use: bounded
 * arrays allocated once at start, looked up linearly (a few hundred
 * entries are swept per poll anyway).  One table per pair (A, U): its
 * route to A/128 carries U; it is installed with its first connection
 * and removed with its last.  Pure.
 */
#include <stdlib.h>
#include <string.h>

#include "client.h"

int
cl_maps_init(struct cl_maps *m, uint32_t max)
{
	memset(m, 0, sizeof(*m));
	if ((m->v = calloc(max, sizeof(*m->v))) == NULL ||
	    (m->tables = calloc(max, sizeof(*m->tables))) == NULL) {
		free(m->v);
		return -1;
	}
	m->max = max;
	return 0;
}

void
cl_maps_free(struct cl_maps *m)
{
	free(m->v);
	free(m->tables);
	memset(m, 0, sizeof(*m));
}

struct cl_map *
cl_maps_find(struct cl_maps *m, const struct in6_addr *any, uint16_t lport,
    uint16_t rport)
{
	uint32_t	 i;

	for (i = 0; i < m->max; i++)
		if (m->v[i].used && m->v[i].c.lport == lport &&
		    m->v[i].c.rport == rport &&
		    IN6_ARE_ADDR_EQUAL(&m->v[i].c.any, any))
			return &m->v[i];
	return NULL;
}

struct cl_map *
cl_maps_reserve(struct cl_maps *m, const struct cl_conn *c, bool *fresh)
{
	struct cl_map	*e = NULL;
	uint32_t	 i, t = m->max, free_t = m->max;

	for (i = 0; i < m->max && e == NULL; i++)
		if (!m->v[i].used)
			e = &m->v[i];
	if (e == NULL)
		return NULL;
	for (i = 0; i < m->max; i++) {
		if (m->tables[i].refs == 0) {
			if (free_t == m->max)
				free_t = i;
		} else if (IN6_ARE_ADDR_EQUAL(&m->tables[i].any, &c->any) &&
		    IN6_ARE_ADDR_EQUAL(&m->tables[i].member, &c->member)) {
			t = i;
			break;
		}
	}
	*fresh = t == m->max;
	if (*fresh) {
		/* A free entry exists, so a free table does too. */
		t = free_t;
		memset(&m->tables[t], 0, sizeof(m->tables[t]));
		m->tables[t].any = c->any;
		m->tables[t].member = c->member;
	}
	memset(e, 0, sizeof(*e));
	e->c = *c;
	e->table = t;
	return e;
}

void
cl_maps_commit(struct cl_maps *m, struct cl_map *e, uint64_t now_ns)
{
	e->used = true;
	e->since_ns = now_ns;
	m->tables[e->table].refs++;
	m->n++;
}

bool
cl_maps_release(struct cl_maps *m, struct cl_map *e)
{
	struct cl_table	*t = &m->tables[e->table];

	e->used = false;
	m->n--;
	return --t->refs == 0;
}
