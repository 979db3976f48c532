/*
 * REST API: captures.  Start, list, show, stop, delete, download the
 * current savefile of a running or stopped capture, and follow a
 * running one live (capture_stream.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include "log.h"
#include "router.h"
#include "api.h"

/* The capture named by the first path argument; replies 404 if none. */
static struct capture *
api_capture_arg(struct api_call *call)
{
	const char	*s = call->arg[0];
	char		*end;
	unsigned long	 id;
	struct capture	*c = NULL;

	if (*s >= '1' && *s <= '9') {
		errno = 0;
		id = strtoul(s, &end, 10);
		if (*end == '\0' && errno == 0 && id <= UINT_MAX)
			c = capture_find(call->r, (unsigned int)id);
	}
	if (c == NULL)
		api_error(call, 404, "no capture \"%.32s\"", s);
	return c;
}

void
api_captures(struct api_call *call)
{
	struct capture	*c;
	json_t		*a = json_array();

	TAILQ_FOREACH(c, &call->r->captures, entry)
		json_array_append_new(a, api_json_capture(c));
	api_reply(call, 200, json_pack("{s:o}", "captures", a));
}

void
api_capture_get(struct api_call *call)
{
	struct capture	*c;

	if ((c = api_capture_arg(call)) != NULL)
		api_reply(call, 200, api_json_capture(c));
}

void
api_capture_add(struct api_call *call)
{
	struct api_capture_req	 cr;
	struct capture		*c;
	json_t			*body;
	char			 err[PCAP_ERRBUF_SIZE + 512], loc[64];
	int			 rc;

	if ((body = api_body(call, err, sizeof(err))) == NULL) {
		api_error(call, 400, "%s", err);
		return;
	}
	rc = api_json_capture_req(body, &cr, err, sizeof(err));
	json_decref(body);
	if (rc == -1) {
		api_error(call, 400, "%s", err);
		return;
	}
	c = capture_start(call->r, cr.iface, cr.direction, cr.filter,
	    cr.max_bytes, cr.rotate, err, sizeof(err));
	if (c == NULL) {
		api_error(call, errno == EINVAL ? 400 : errno == EMFILE ? 409 :
		    500, "%s", err);
		return;
	}
	snprintf(loc, sizeof(loc), "/api/v1/captures/%u", c->id);
	api_set_header(call, "Location", loc);
	api_reply(call, 201, api_json_capture(c));
}

void
api_capture_del(struct api_call *call)
{
	struct capture	*c;

	if ((c = api_capture_arg(call)) == NULL)
		return;
	capture_delete(call->r, c);
	api_reply(call, 204, NULL);
}

/* Stopping a stopped capture is not an error: the result is the same. */
void
api_capture_stop(struct api_call *call)
{
	struct capture	*c;

	if ((c = api_capture_arg(call)) == NULL)
		return;
	capture_stop(call->r, c);
	api_reply(call, 200, api_json_capture(c));
}

void
api_capture_pcap(struct api_call *call)
{
	struct capture		*c;
	struct evbuffer		*buf;
	struct evbuffer_file_segment *seg;
	struct stat		 st;
	const char		*base;
	char			 disp[PATH_MAX + 64];
	int			 fd, rc, saved_errno;

	if ((c = api_capture_arg(call)) == NULL)
		return;
	/* Whole records only: the file ends where the last one does. */
	if (c->running && pcap_dump_flush(c->dumper) == -1)
		log_warnx("%s: capture %u: error writing %s", __func__, c->id,
		    c->path);
	if ((fd = open(c->path, O_RDONLY | O_CLOEXEC)) == -1) {
		api_error(call, errno == ENOENT ? 404 : 500, "%s: %s",
		    c->path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || (buf = evbuffer_new()) == NULL) {
		saved_errno = errno;
		close(fd);
		api_error(call, 500, "%s: %s", c->path, strerror(saved_errno));
		return;
	}
	if (st.st_size == 0)
		close(fd);
	else {
		/* The segment owns fd; the buffer takes its own reference. */
		if ((seg = evbuffer_file_segment_new(fd, 0, st.st_size,
		    EVBUF_FS_CLOSE_ON_FREE)) == NULL) {
			close(fd);
			rc = -1;
		} else {
			rc = evbuffer_add_file_segment(buf, seg, 0, -1);
			evbuffer_file_segment_free(seg);
		}
		if (rc == -1) {
			evbuffer_free(buf);
			api_error(call, 500, "%s: cannot send the file",
			    c->path);
			return;
		}
	}
	base = strrchr(c->path, '/');
	base = base != NULL ? base + 1 : c->path;
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", base);
	api_set_header(call, "Content-Type", "application/vnd.tcpdump.pcap");
	api_set_header(call, "Content-Disposition", disp);
	api_set_header(call, "Cache-Control", "no-store");
	api_send(call, 200, buf);
	evbuffer_free(buf);
}

/* A chunked reply that lasts as long as the capture: capture_stream.c. */
void
api_capture_stream(struct api_call *call)
{
	struct capture	*c;
	char		 err[128];

	if ((c = api_capture_arg(call)) == NULL)
		return;
	if (call->method == EVHTTP_REQ_HEAD) {
		/* The headers of a stream that does not start. */
		api_set_header(call, "Content-Type",
		    "application/vnd.tcpdump.pcap");
		api_set_header(call, "Cache-Control", "no-store");
		api_send(call, c->running ? 200 : 409, NULL);
		return;
	}
	if (capture_stream_open(c, call->req, err, sizeof(err)) == -1) {
		api_error(call, 409, "%s", err);
		return;
	}
	log_debug("%s: %s: 200, streaming", __func__,
	    evhttp_request_get_uri(call->req));
}
