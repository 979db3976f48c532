/*
 * capture.c: libpcap savefiles of the frames crossing the interfaces,
 * per interface and direction, with BPF filters, size caps and
 * rotation.
 */
#ifndef VROUTER_CAPTURE_H
#define VROUTER_CAPTURE_H

#include <sys/queue.h>
#include <sys/time.h>
#include <net/if.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

/* Directions of a capture, as bits: the one rx/tx/both mapping. */
#define CAP_RX		0x1
#define CAP_TX		0x2
#define CAP_BOTH	(CAP_RX | CAP_TX)
/* "rx", "tx", "both" ("unknown" for anything else); 0 or -1. */
const char *capture_dir_name(int);
int	 capture_dir_from_name(const char *, int *);

/* Limits of a capture's files, in the config and the API alike. */
#define CAPTURE_MIN_BYTES	65536	/* max_bytes, unless 0 (no cap) */
#define CAPTURE_MAX_ROTATE	100	/* older files kept */

struct capture_stream;
struct evhttp_request;
struct iface;
struct pcap;
struct pcap_dumper;
struct pcap_pkthdr;
struct router;

/* Live streams of one capture (capture_stream.c). */
#define CAPTURE_MAX_STREAMS	4		/* per capture */
#define CAPTURE_STREAM_MAX_QUEUE (4u << 20)	/* bytes unsent, per client */
TAILQ_HEAD(capture_stream_list, capture_stream);

struct capture {
	TAILQ_ENTRY(capture) entry;
	unsigned int	 id;
	char		 iface[IFNAMSIZ];	/* "" = every interface */
	int		 direction;		/* CAP_* */
	char		 filter[256];
	bool		 has_filter;
	void		*bpf;			/* struct bpf_program * */
	struct pcap	*dead;
	struct pcap_dumper *dumper;
	char		 path[PATH_MAX];	/* current file */
	uint64_t	 max_bytes;		/* per file; 0 = no cap */
	uint32_t	 rotate;		/* older files kept */
	uint64_t	 file_bytes;
	uint64_t	 packets;
	uint64_t	 bytes;
	uint32_t	 files;			/* rotations so far */
	bool		 dirty;			/* written since the last flush */
	struct capture_stream_list streams;
	unsigned int	 nstreams;
	uint64_t	 stream_drops;		/* records a slow client missed */
	bool		 running;
	struct timeval	 started;
	struct timeval	 stopped;
};
TAILQ_HEAD(capture_list, capture);

/* Start a capture; NULL with a message in err on failure. */
struct capture *capture_start(struct router *, const char *iface,
	    int direction, const char *filter, uint64_t max_bytes,
	    uint32_t rotate, char *err, size_t errlen);
void	 capture_stop(struct router *, struct capture *);
/* Stop if running, delete its files, free it. */
void	 capture_delete(struct router *, struct capture *);
struct capture *capture_find(struct router *, unsigned int id);
/* Called for every frame crossing ifp in direction dir. */
void	 capture_frame(struct router *, struct iface *, int dir,
	    const uint8_t *, size_t);
/* Flush what was written since the last tick (once a second or more). */
void	 capture_tick(struct router *);
void	 capture_shutdown(struct router *);

/* capture_stream.c: GET /api/v1/captures/{id}/stream */
/* Start a chunked reply on req; -1 with a message when full or stopped. */
int	 capture_stream_open(struct capture *, struct evhttp_request *,
	    char *err, size_t errlen);
/* Send one record to every stream of c. */
void	 capture_stream_record(struct capture *, const struct pcap_pkthdr *,
	    const uint8_t *);
/* End every stream of c (the capture stopped). */
void	 capture_stream_end_all(struct capture *);
#define CAPTURE(r, ifp, dir, buf, len) do {				\
	if ((r)->ncaptures_running > 0)					\
		capture_frame((r), (ifp), (dir), (buf), (len));		\
} while (0)

#endif /* VROUTER_CAPTURE_H */
