/*
 * Live streams of a capture: GET /api/v1/captures/{id}/stream answers
 * with a chunked pcap savefile that lasts as long as the capture runs:
 * the global header, then every record captured from then on, so that
 * `curl -sN URL | tshark -i -` (or `wireshark -k -i -`) follows it.
 *
 * Memory stays bounded: a record is queued for a client only while the
 * connection's unsent output is under CAPTURE_STREAM_MAX_QUEUE; past
 * it the record is dropped for that client and counted.  Records are
 * staged in one evbuffer per stream, reused, so a packet costs no
 * allocation beyond the evbuffer's own chains.  A stream ends when its
 * capture stops (a last empty chunk) or when the client goes away (the
 * connection's close callback).
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <pcap/pcap.h>

#include "log.h"
#include "util.h"
#include "capture.h"

/* Seconds a stream may wait for the client to take more data. */
#define CAPTURE_STREAM_WRITE_TIMEOUT_S	30

struct capture_stream {
	TAILQ_ENTRY(capture_stream) entry;
	struct capture		*cap;
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;
	struct evbuffer		*chunk;		/* staging, reused */
	uint64_t		 records;
	uint64_t		 drops;
};

/* The savefile's headers, in host byte order as pcap_dump() writes. */
struct capture_file_hdr {
	uint32_t	 magic;
	uint16_t	 version_major;
	uint16_t	 version_minor;
	int32_t		 thiszone;
	uint32_t	 sigfigs;
	uint32_t	 snaplen;
	uint32_t	 linktype;
};

struct capture_rec_hdr {
	uint32_t	 ts_sec;
	uint32_t	 ts_usec;
	uint32_t	 caplen;
	uint32_t	 len;
};

static void	capture_stream_closed(struct evhttp_connection *, void *);
static void	capture_stream_free(struct capture_stream *);

int
capture_stream_open(struct capture *c, struct evhttp_request *req,
    char *err, size_t errlen)
{
	struct capture_stream	*s;
	struct capture_file_hdr	 fh;
	struct evkeyvalq	*h;
	struct timeval		 wtv = { CAPTURE_STREAM_WRITE_TIMEOUT_S, 0 };

	if (!c->running)
		return snprintf(err, errlen, "capture %u is stopped", c->id),
		    -1;
	if (c->nstreams >= CAPTURE_MAX_STREAMS)
		return snprintf(err, errlen, "capture %u has %d streams "
		    "already", c->id, CAPTURE_MAX_STREAMS), -1;

	s = xcalloc(1, sizeof(*s));
	if ((s->chunk = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new", __func__);
	s->cap = c;
	s->req = req;
	s->evcon = evhttp_request_get_connection(req);

	memset(&fh, 0, sizeof(fh));
	fh.magic = 0xa1b2c3d4;
	fh.version_major = PCAP_VERSION_MAJOR;
	fh.version_minor = PCAP_VERSION_MINOR;
	fh.snaplen = (uint32_t)pcap_snapshot(c->dead);
	fh.linktype = (uint32_t)pcap_datalink(c->dead);

	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "application/vnd.tcpdump.pcap");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply_start(req, 200, "OK");
	/*
	 * The client sends nothing more: no read timeout, only one on
	 * writes, for a client that stopped reading.
	 */
	bufferevent_set_timeouts(evhttp_connection_get_bufferevent(s->evcon),
	    NULL, &wtv);
	evhttp_connection_set_closecb(s->evcon, capture_stream_closed, s);
	evbuffer_add(s->chunk, &fh, sizeof(fh));
	evhttp_send_reply_chunk(req, s->chunk);

	TAILQ_INSERT_TAIL(&c->streams, s, entry);
	c->nstreams++;
	log_info("%s: capture %u: stream %u started", __func__, c->id,
	    c->nstreams);
	return 0;
}

/* Unsent bytes on the stream's connection. */
static size_t
capture_stream_queued(const struct capture_stream *s)
{
	return evbuffer_get_length(bufferevent_get_output(
	    evhttp_connection_get_bufferevent(s->evcon)));
}

void
capture_stream_record(struct capture *c, const struct pcap_pkthdr *hdr,
    const uint8_t *buf)
{
	struct capture_stream	*s;
	struct capture_rec_hdr	 rh;

	rh.ts_sec = (uint32_t)hdr->ts.tv_sec;
	rh.ts_usec = (uint32_t)hdr->ts.tv_usec;
	rh.caplen = hdr->caplen;
	rh.len = hdr->len;
	TAILQ_FOREACH(s, &c->streams, entry) {
		if (capture_stream_queued(s) + sizeof(rh) + hdr->caplen >
		    CAPTURE_STREAM_MAX_QUEUE) {
			s->drops++;
			c->stream_drops++;
			continue;
		}
		if (evbuffer_add(s->chunk, &rh, sizeof(rh)) == -1 ||
		    evbuffer_add(s->chunk, buf, hdr->caplen) == -1) {
			evbuffer_drain(s->chunk, evbuffer_get_length(s->chunk));
			s->drops++;
			c->stream_drops++;
			continue;
		}
		evhttp_send_reply_chunk(s->req, s->chunk);
		s->records++;
	}
}

void
capture_stream_end_all(struct capture *c)
{
	struct capture_stream	*s;

	while ((s = TAILQ_FIRST(&c->streams)) != NULL) {
		evhttp_connection_set_closecb(s->evcon, NULL, NULL);
		evhttp_send_reply_end(s->req);
		capture_stream_free(s);
	}
}

/*
 * The client went away, or the server is shutting down.  When the
 * connection failed, libevent left the request to us (it is detached
 * from its connection); otherwise the connection frees it.
 */
static void
capture_stream_closed(struct evhttp_connection *evcon, void *arg)
{
	struct capture_stream	*s = arg;

	(void)evcon;
	if (evhttp_request_get_connection(s->req) == NULL)
		evhttp_request_free(s->req);
	capture_stream_free(s);
}

static void
capture_stream_free(struct capture_stream *s)
{
	struct capture	*c = s->cap;

	TAILQ_REMOVE(&c->streams, s, entry);
	c->nstreams--;
	log_info("%s: capture %u: stream ended, %llu records sent, %llu "
	    "dropped for a slow client", __func__, c->id,
	    (unsigned long long)s->records, (unsigned long long)s->drops);
	evbuffer_free(s->chunk);
	free(s);
}
