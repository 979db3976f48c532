/*
 * The API's JSON answers as tables aligned like birdc's: one row per
 * object of a list, one column per row of a view's table, numbers to
 * the right, "-" for null.  A view whose answer is one object (a
 * PATCH, a POST) shows it as a table of one row.  Pure: a json_t in,
 * lines out.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"
#include "ctl.h"

#define CTL_CELL_MAX	256
#define CTL_SEP		"  "

struct ctl_col {
	const char	*head;
	const char	*key;		/* in the row; "a.b" goes down objects */
	bool		 right;		/* aligned right (numbers) */
	/* NULL: the value printed by its JSON type */
	void		(*fn)(json_t *row, char *buf, size_t len);
};

struct ctl_view {
	const char		*name;
	const char		*list;		/* the answer's array */
	/* The rows, a new reference; NULL: the default (list, or [answer]) */
	json_t			*(*rows)(const struct ctl_view *, json_t *);
	const struct ctl_col	*cols;		/* NULL: key and value */
};

struct ctl_table {
	size_t		 ncols;
	size_t		 nrows;		/* the header included */
	char		*cell[];	/* nrows * ncols, each owned */
};

static void	 cell_member_state(json_t *, char *, size_t);
static void	 cell_group_members(json_t *, char *, size_t);
static void	 cell_group_up(json_t *, char *, size_t);
static void	 cell_score(json_t *, char *, size_t);
static json_t	*rows_members(const struct ctl_view *, json_t *);
static json_t	*rows_counters(const struct ctl_view *, json_t *);
static json_t	*rows_keys(const struct ctl_view *, json_t *);

static const struct ctl_col cols_groups[] = {
	{ "ADDRESS", "address", false, NULL },
	{ "NAME", "name", false, NULL },
	{ "POLICY", "policy", false, NULL },
	{ "RH", "rh_mode", false, NULL },
	{ "MEMBERS", NULL, true, cell_group_members },
	{ "UP", NULL, true, cell_group_up },
	{ "FLOWS", "flows", true, NULL },
	{ "PENDING", "pending", true, NULL },
	{ "PACKETS", "counters.packets", true, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_members[] = {
	{ "GROUP", "group", false, NULL },
	{ "ADDRESS", "address", false, NULL },
	{ "INTERFACE", "interface", false, NULL },
	{ "SOURCE", "source", false, NULL },
	{ "STATE", NULL, false, cell_member_state },
	{ "DRAIN", "draining", false, NULL },
	{ "SESSIONS", "sessions", true, NULL },
	{ "FLOWS", "flows", true, NULL },
	{ "LOAD%", "load_pct", true, NULL },
	{ "WEIGHT", "weight", true, NULL },
	{ "SCORE", NULL, true, cell_score },
	{ "RTT_US", "probe_rtt_us", true, NULL },
	{ "SELECTIONS", "counters.selections", true, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_flows[] = {
	{ "PROTO", "proto", false, NULL },
	{ "CLIENT", "client", false, NULL },
	{ "CPORT", "client_port", true, NULL },
	{ "GROUP", "group", false, NULL },
	{ "GPORT", "group_port", true, NULL },
	{ "MEMBER", "member", false, NULL },
	{ "STATE", "state", false, NULL },
	{ "AGE_MS", "age_ms", true, NULL },
	{ "IDLE_MS", "idle_ms", true, NULL },
	{ "PKTS_IN", "packets_in", true, NULL },
	{ "PKTS_OUT", "packets_out", true, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_routes[] = {
	{ "PREFIX", "prefix", false, NULL },
	{ "TYPE", "type", false, NULL },
	{ "VIA", "via", false, NULL },
	{ "INTERFACE", "interface", false, NULL },
	{ "PACKETS", "packets", true, NULL },
	{ "BYTES", "bytes", true, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_neighbors[] = {
	{ "ADDRESS", "address", false, NULL },
	{ "INTERFACE", "interface", false, NULL },
	{ "MAC", "mac", false, NULL },
	{ "STATE", "state", false, NULL },
	{ "ROUTER", "router", false, NULL },
	{ "QUEUED", "queued", true, NULL },
	{ "AGE_MS", "age_ms", true, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_interfaces[] = {
	{ "NAME", "name", false, NULL },
	{ "NETNS", "netns", false, NULL },
	{ "IFNAME", "ifname", false, NULL },
	{ "MAC", "mac", false, NULL },
	{ "MTU", "mtu", true, NULL },
	{ "RX_PKTS", "counters.rx_packets", true, NULL },
	{ "TX_PKTS", "counters.tx_packets", true, NULL },
	{ "DROPS", "counters.drops", true, NULL },
	{ "ADDRESSES", "addresses", false, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_captures[] = {
	{ "ID", "id", true, NULL },
	{ "INTERFACE", "interface", false, NULL },
	{ "DIR", "direction", false, NULL },
	{ "RUNNING", "running", false, NULL },
	{ "PACKETS", "packets", true, NULL },
	{ "BYTES", "bytes", true, NULL },
	{ "FILTER", "filter", false, NULL },
	{ "PATH", "path", false, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_keys[] = {
	{ "KEY", "key", false, NULL },
	{ "VALUE", "value", false, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_col cols_counters[] = {
	{ "COUNTER", "key", false, NULL },
	{ "VALUE", "value", true, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct ctl_view ctl_views[] = {
	{ "status", NULL, rows_keys, cols_keys },
	{ "groups", "groups", NULL, cols_groups },
	{ "members", "members", rows_members, cols_members },
	{ "flows", "flows", NULL, cols_flows },
	{ "routes", "routes", NULL, cols_routes },
	{ "neighbors", "neighbors", NULL, cols_neighbors },
	{ "interfaces", "interfaces", NULL, cols_interfaces },
	{ "captures", "captures", NULL, cols_captures },
	{ "counters", NULL, rows_counters, cols_counters },
	{ "result", NULL, rows_keys, cols_keys },
};

const struct ctl_view *
ctl_view_find(const char *name)
{
	size_t	i;

	for (i = 0; i < NITEMS(ctl_views); i++)
		if (strcmp(ctl_views[i].name, name) == 0)
			return &ctl_views[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* lines */

void
ctl_lines_add(struct ctl_lines *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
}

void
ctl_lines_free(struct ctl_lines *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---------------------------------------------------------------------- */
/* cells */

/* The value at "a.b.c" under row, or NULL. */
static json_t *
json_at(json_t *row, const char *key)
{
	char		 part[64];
	const char	*dot;
	size_t		 n;

	while (row != NULL && (dot = strchr(key, '.')) != NULL) {
		n = (size_t)(dot - key);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, key, n);
		part[n] = '\0';
		row = json_object_get(row, part);
		key = dot + 1;
	}
	return row != NULL ? json_object_get(row, key) : NULL;
}

static void
cell_scalar(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, len, "-");
}

/* Scalars as themselves, arrays joined with ",", the rest "-". */
static void
cell_value(json_t *v, char *buf, size_t len)
{
	char	 one[CTL_CELL_MAX];
	size_t	 i, used = 0;

	if (!json_is_array(v) || json_array_size(v) == 0) {
		cell_scalar(v, buf, len);
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < json_array_size(v) && used < len; i++) {
		cell_scalar(json_array_get(v, i), one, sizeof(one));
		used += snprintf(buf + used, len - used, "%s%s",
		    i > 0 ? "," : "", one);
	}
}

static void
cell_member_state(json_t *row, char *buf, size_t len)
{
	const char	*state = json_string_value(json_at(row, "state"));
	const char	*why = json_string_value(json_at(row, "down_reason"));

	if (why != NULL)
		snprintf(buf, len, "%s(%s)", state != NULL ? state : "-", why);
	else
		snprintf(buf, len, "%s", state != NULL ? state : "-");
}

static size_t
members_in_state(json_t *row, const char *state)
{
	json_t		*m;
	const char	*s;
	size_t		 i, n = 0;

	json_array_foreach(json_at(row, "members"), i, m) {
		s = json_string_value(json_at(m, "state"));
		if (state == NULL || (s != NULL && strcmp(s, state) == 0))
			n++;
	}
	return n;
}

static void
cell_group_members(json_t *row, char *buf, size_t len)
{
	snprintf(buf, len, "%zu", members_in_state(row, NULL));
}

static void
cell_group_up(json_t *row, char *buf, size_t len)
{
	snprintf(buf, len, "%zu", members_in_state(row, "up"));
}

static void
cell_score(json_t *row, char *buf, size_t len)
{
	cell_value(json_at(row, "score.score"), buf, len);
}

static void
cell(const struct ctl_col *c, json_t *row, char *buf, size_t len)
{
	if (c->fn != NULL)
		c->fn(row, buf, len);
	else
		cell_value(json_at(row, c->key), buf, len);
}

/* ---------------------------------------------------------------------- */
/* rows */

/* The list the view names, or a single object as a list of one. */
static json_t *
rows_default(const struct ctl_view *v, json_t *answer)
{
	json_t	*list = v->list != NULL ? json_object_get(answer, v->list) :
		    NULL;

	if (json_is_array(list))
		return json_incref(list);
	if (json_is_object(answer) && list == NULL)
		return json_pack("[O]", answer);
	return NULL;
}

static void
members_of_group(json_t *rows, json_t *group)
{
	json_t	*m, *copy;
	size_t	 i;

	json_array_foreach(json_object_get(group, "members"), i, m) {
		copy = json_copy(m);
		json_object_set(copy, "group", json_object_get(group,
		    "address"));
		json_array_append_new(rows, copy);
	}
}

/*
 * Members of every group ({"groups": [...]}), of one group (the group
 * object), or a member alone (a PATCH answer), each with its group.
 */
static json_t *
rows_members(const struct ctl_view *v, json_t *answer)
{
	json_t	*groups = json_object_get(answer, "groups"), *g, *rows;
	size_t	 i;

	if (json_object_get(answer, "members") == NULL && groups == NULL)
		return rows_default(v, answer);
	rows = json_array();
	if (groups == NULL)
		members_of_group(rows, answer);
	json_array_foreach(groups, i, g)
		members_of_group(rows, g);
	return rows;
}

/* The scalars of an object, in order, as {key, value} rows. */
static json_t *
rows_keys(const struct ctl_view *v, json_t *answer)
{
	const char	*k;
	json_t		*val, *rows;

	(void)v;
	if (!json_is_object(answer))
		return NULL;
	rows = json_array();
	json_object_foreach(answer, k, val)
		if (!json_is_object(val))
			json_array_append_new(rows, json_pack("{s:s, s:O}",
			    "key", k, "value", val));
	return rows;
}

/* Counters that are not zero, named by their path. */
static void
flatten(json_t *rows, const char *prefix, json_t *o)
{
	const char	*k;
	char		 name[CTL_CELL_MAX];
	json_t		*val;

	json_object_foreach(o, k, val) {
		snprintf(name, sizeof(name), "%s%s%s", prefix,
		    prefix[0] != '\0' ? "." : "", k);
		if (json_is_object(val))
			flatten(rows, name, val);
		else if (!json_is_integer(val) || json_integer_value(val) != 0)
			json_array_append_new(rows, json_pack("{s:s, s:O}",
			    "key", name, "value", val));
	}
}

static json_t *
rows_counters(const struct ctl_view *v, json_t *answer)
{
	json_t	*rows;

	(void)v;
	if (!json_is_object(answer))
		return NULL;
	rows = json_array();
	flatten(rows, "", answer);
	return rows;
}

/* ---------------------------------------------------------------------- */
/* the table */

static size_t
view_ncols(const struct ctl_view *v)
{
	size_t	n = 0;

	while (v->cols[n].head != NULL)
		n++;
	return n;
}

static struct ctl_table *
table_new(const struct ctl_view *v, json_t *rows)
{
	struct ctl_table	*t;
	char			 buf[CTL_CELL_MAX];
	size_t			 ncols = view_ncols(v), r, c;

	t = xcalloc(1, sizeof(*t) + (json_array_size(rows) + 1) * ncols *
	    sizeof(char *));
	t->ncols = ncols;
	t->nrows = json_array_size(rows) + 1;
	for (c = 0; c < ncols; c++)
		t->cell[c] = xstrdup(v->cols[c].head);
	for (r = 1; r < t->nrows; r++)
		for (c = 0; c < ncols; c++) {
			cell(&v->cols[c], json_array_get(rows, r - 1), buf,
			    sizeof(buf));
			t->cell[r * ncols + c] = xstrdup(buf);
		}
	return t;
}

static void
table_free(struct ctl_table *t)
{
	size_t	i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t);
}

/* One line: cells padded to their column's width, none after the last. */
static void
table_line(const struct ctl_view *v, const struct ctl_table *t,
    const size_t *width, size_t r, struct ctl_lines *out)
{
	char		 line[CTL_CELL_MAX * 16];
	const char	*s;
	size_t		 c, used = 0;
	int		 w;

	for (c = 0; c < t->ncols && used < sizeof(line); c++) {
		s = t->cell[r * t->ncols + c];
		w = (int)width[c];
		if (c + 1 == t->ncols && !v->cols[c].right)
			w = 0;
		used += snprintf(line + used, sizeof(line) - used, "%s%*s",
		    c > 0 ? CTL_SEP : "", v->cols[c].right ? w : -w, s);
	}
	ctl_lines_add(out, line);
}

static void
table_lines(const struct ctl_view *v, const struct ctl_table *t,
    struct ctl_lines *out)
{
	size_t	*width, r, c, n;

	width = xcalloc(t->ncols, sizeof(*width));
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			if ((n = strlen(t->cell[r * t->ncols + c])) > width[c])
				width[c] = n;
	for (r = 0; r < t->nrows; r++)
		table_line(v, t, width, r, out);
	free(width);
}

int
ctl_view_render(const struct ctl_view *v, json_t *answer,
    struct ctl_lines *out, char *err, size_t errlen)
{
	struct ctl_table	*t;
	json_t			*rows;

	rows = v->rows != NULL ? v->rows(v, answer) : rows_default(v, answer);
	if (rows == NULL) {
		snprintf(err, errlen, "unexpected answer for %s", v->name);
		return -1;
	}
	t = table_new(v, rows);
	table_lines(v, t, out);
	table_free(t);
	json_decref(rows);
	return 0;
}
