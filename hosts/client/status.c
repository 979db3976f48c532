/*
 * The status of the shim: its mappings and counters as one JSON
 * document, served on a unix socket (one document per connection, then
 * close) and printed by "anycast-client -s".
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"

json_t *
cl_status_json(const struct cl_maps *m, const struct cl_counters *k,
    const struct cl_opts *o, uint64_t now_ns)
{
	json_t			*doc, *list;
	const struct cl_map	*e;
	uint32_t		 i;

	list = json_array();
	for (i = 0; i < m->max; i++) {
		e = &m->v[i];
		if (!e->used)
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:i, "
		    "s:f, s:I}", "anycast", fmt_addr(&e->c.any), "member",
		    fmt_addr(&e->c.member), "local_port", e->c.lport,
		    "remote_port", e->c.rport, "age_s",
		    (double)(now_ns - e->since_ns) / 1e9, "table",
		    (json_int_t)o->table_base + e->table));
	}
	doc = json_pack("{s:s, s:i, s:i, s:I, s:i, s:o, s:{s:I, s:I, s:I, "
	    "s:I, s:I}}", "interface", o->ifname, "max", (int)o->max,
	    "priority", (int)o->priority, "table_base",
	    (json_int_t)o->table_base, "count", (int)m->n, "mappings", list,
	    "counters", "learned", (json_int_t)k->learned, "closed",
	    (json_int_t)k->closed, "idle", (json_int_t)k->idle, "full",
	    (json_int_t)k->full, "errors", (json_int_t)k->errors);
	return doc;
}

static int
cl_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

int
cl_status_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (cl_sun(&sun, path) == -1 || (fd = socket(AF_UNIX, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "status socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0600) == -1 || listen(fd, 8) == -1) {
		snprintf(err, errlen, "status socket %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
cl_status_answer(int lfd, json_t *doc)
{
	struct timeval	 tv = { 1, 0 };
	char		*text;
	size_t		 len, off = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	/* A reader that stalls costs the loop one second at most. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((text = json_dumps(doc, JSON_COMPACT)) != NULL) {
		len = strlen(text);
		while (off < len && ((n = write(fd, text + off, len - off)) > 0 ||
		    (n == -1 && errno == EINTR)))
			off += n > 0 ? (size_t)n : 0;
		(void)write(fd, "\n", 1);
		free(text);
	}
	close(fd);
}

void
cl_status_print(FILE *f, json_t *doc)
{
	json_t	*e, *k = json_object_get(doc, "counters");
	size_t	 i;

	fprintf(f, "%-24s %-24s %6s %6s %8s %6s\n", "ANYCAST", "MEMBER",
	    "LPORT", "RPORT", "AGE", "TABLE");
	json_array_foreach(json_object_get(doc, "mappings"), i, e)
		fprintf(f, "%-24s %-24s %6d %6d %7.1fs %6lld\n",
		    json_string_value(json_object_get(e, "anycast")),
		    json_string_value(json_object_get(e, "member")),
		    (int)json_integer_value(json_object_get(e, "local_port")),
		    (int)json_integer_value(json_object_get(e, "remote_port")),
		    json_real_value(json_object_get(e, "age_s")),
		    (long long)json_integer_value(json_object_get(e, "table")));
	fprintf(f, "%lld of %lld; learned %lld, closed %lld, idle %lld, "
	    "full %lld, errors %lld\n",
	    (long long)json_integer_value(json_object_get(doc, "count")),
	    (long long)json_integer_value(json_object_get(doc, "max")),
	    (long long)json_integer_value(json_object_get(k, "learned")),
	    (long long)json_integer_value(json_object_get(k, "closed")),
	    (long long)json_integer_value(json_object_get(k, "idle")),
	    (long long)json_integer_value(json_object_get(k, "full")),
	    (long long)json_integer_value(json_object_get(k, "errors")));
}

int
cl_status_query(const char *path, bool json, FILE *out)
{
	struct sockaddr_un	 sun;
	json_error_t		 jerr;
	json_t			*doc;
	FILE			*in;
	int			 fd;

	if (cl_sun(&sun, path) == -1 || (fd = socket(AF_UNIX, SOCK_STREAM |
	    SOCK_CLOEXEC, 0)) == -1 || connect(fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		fprintf(stderr, "%s: %s: %s (is the shim running?)\n", CL_NAME,
		    path, strerror(errno));
		return 1;
	}
	if ((in = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 1;
	}
	doc = json_loadf(in, JSON_DISABLE_EOF_CHECK, &jerr);
	fclose(in);
	if (doc == NULL) {
		fprintf(stderr, "%s: bad answer from %s: %s\n", CL_NAME, path,
		    jerr.text);
		return 1;
	}
	if (json) {
		json_dumpf(doc, out, JSON_INDENT(2));
		fputc('\n', out);
	} else
		cl_status_print(out, doc);
	json_decref(doc);
	return 0;
}
