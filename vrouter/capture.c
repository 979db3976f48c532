/*
 * Packet captures: libpcap savefiles of the frames crossing the
 * interfaces, per interface or all of them, received, sent or both,
 * with an optional BPF filter and size-capped rotation.
 *
 * Files live in conf->capture_dir as cap<ID>-<iface|all>.pcap; on
 * rotation the current file becomes .1, .1 becomes .2, and so on,
 * keeping `rotate` older files.  A stopped capture keeps its files
 * for download until it is deleted.
 *
 * capture_frame() runs on the data path: no allocation, no logging
 * per frame.  pcap_dump() writes through stdio's buffer, which the
 * periodic tick flushes when something was written, so that a reader
 * of the running file (tshark -r, Wireshark) sees whole records within
 * a tick.  Live streams to HTTP clients are in capture_stream.c.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "log.h"
#include "util.h"
#include "pbuf.h"
#include "iface.h"
#include "router.h"

#define CAPTURE_SNAPLEN		PBUF_DATA	/* GSO super-frames whole */
#define CAPTURE_MAX		64	/* running or stopped */
#define PCAP_FILE_HDR		24	/* struct pcap_file_header */
#define PCAP_REC_HDR		16	/* struct pcap_sf_pkthdr */

static int	capture_mkdirs(const char *, char *, size_t);
static int	capture_open(struct capture *);
static void	capture_rotate(struct router *, struct capture *);
static void	capture_rotated_name(char *, size_t, const char *, uint32_t);
static void	capture_unlink_rotated(const char *, uint32_t);
static void	capture_release(struct capture *);

static const char *const capture_dir_names[] = {
	[CAP_RX] = "rx",
	[CAP_TX] = "tx",
	[CAP_BOTH] = "both",
};

const char *
capture_dir_name(int dir)
{
	return name_get(capture_dir_names, NITEMS(capture_dir_names), dir);
}

int
capture_dir_from_name(const char *name, int *dir)
{
	int	 i;

	i = name_find(capture_dir_names, NITEMS(capture_dir_names), name);
	if (i == -1)
		return -1;
	*dir = i;
	return 0;
}

/* Step 1: the arguments, and room for one more capture. */
static int
capture_check(struct router *r, const char *iface, int direction,
    const char *filter, uint64_t max_bytes, uint32_t rotate, char *err,
    size_t errlen)
{
	struct capture	*it;
	unsigned int	 n = 0;

	errno = EINVAL;
	if (iface[0] != '\0' && iface_find(r, iface) == NULL)
		return snprintf(err, errlen, "interface: \"%.*s\" is not "
		    "an interface", IFNAMSIZ, iface), -1;
	if (direction != CAP_RX && direction != CAP_TX &&
	    direction != CAP_BOTH)
		return snprintf(err, errlen, "direction: bad value %d",
		    direction), -1;
	if (strlen(filter) >= sizeof(it->filter))
		return snprintf(err, errlen, "filter: longer than %zu bytes",
		    sizeof(it->filter) - 1), -1;
	if (max_bytes != 0 && max_bytes < CAPTURE_MIN_BYTES)
		return snprintf(err, errlen, "max_bytes: must be 0 (no limit) "
		    "or at least %d", CAPTURE_MIN_BYTES), -1;
	if (rotate > CAPTURE_MAX_ROTATE)
		return snprintf(err, errlen, "rotate: must be at most %d",
		    CAPTURE_MAX_ROTATE), -1;
	TAILQ_FOREACH(it, &r->captures, entry)
		n++;
	if (n >= CAPTURE_MAX) {
		errno = EMFILE;
		return snprintf(err, errlen, "too many captures (%d); delete "
		    "some", CAPTURE_MAX), -1;
	}
	return 0;
}

/* Step 2: the pcap handle frames are dumped through, and the filter. */
static int
capture_compile(struct capture *c, char *err, size_t errlen)
{
	struct bpf_program	*prog;

	if ((c->dead = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN)) == NULL) {
		errno = ENOMEM;
		return snprintf(err, errlen, "pcap_open_dead failed"), -1;
	}
	if (c->filter[0] == '\0')
		return 0;
	prog = xcalloc(1, sizeof(*prog));
	if (pcap_compile(c->dead, prog, c->filter, 1,
	    PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "filter: bad expression \"%s\": %s",
		    c->filter, pcap_geterr(c->dead));
		free(prog);
		errno = EINVAL;
		return -1;
	}
	c->bpf = prog;
	c->has_filter = true;
	return 0;
}

/* Step 3: the directory and the first file. */
static int
capture_create(struct router *r, struct capture *c, char *err,
    size_t errlen)
{
	const char	*dir = r->conf->capture_dir;
	int		 len;

	if (dir[0] == '\0') {
		errno = ENOENT;
		return snprintf(err, errlen, "no capture directory "
		    "configured"), -1;
	}
	if (capture_mkdirs(dir, err, errlen) == -1)
		return -1;
	len = snprintf(c->path, sizeof(c->path), "%s/cap%u-%s.pcap", dir,
	    c->id, c->iface[0] != '\0' ? c->iface : "all");
	/* room for the rotation suffix ".100" */
	if (len < 0 || (size_t)len + 5 >= sizeof(c->path)) {
		errno = ENAMETOOLONG;
		return snprintf(err, errlen, "capture path too long"), -1;
	}
	/* Rotated files left by an earlier run would look like ours. */
	capture_unlink_rotated(c->path, 1);
	if (capture_open(c) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", c->path,
		    pcap_geterr(c->dead));
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Start a capture.  iface NULL or "" means every interface; filter NULL
 * or "" means every frame.  On failure returns NULL, writes a message
 * into err and sets errno: EINVAL for a bad argument (unknown interface
 * included), EMFILE when too many captures exist, anything else for a
 * failure to create the directory or the file.
 */
struct capture *
capture_start(struct router *r, const char *iface, int direction,
    const char *filter, uint64_t max_bytes, uint32_t rotate, char *err,
    size_t errlen)
{
	struct capture	*c;
	int		 saved_errno;

	if (iface == NULL)
		iface = "";
	if (filter == NULL)
		filter = "";
	if (capture_check(r, iface, direction, filter, max_bytes, rotate,
	    err, errlen) == -1)
		return NULL;

	c = xcalloc(1, sizeof(*c));
	TAILQ_INIT(&c->streams);
	c->id = r->next_capture_id != 0 ? r->next_capture_id : 1;
	/* both lengths checked above */
	snprintf(c->iface, sizeof(c->iface), "%s", iface);
	c->direction = direction;
	snprintf(c->filter, sizeof(c->filter), "%s", filter);
	c->max_bytes = max_bytes;
	c->rotate = rotate;
	if (capture_compile(c, err, errlen) == -1 ||
	    capture_create(r, c, err, errlen) == -1) {
		saved_errno = errno;
		capture_release(c);
		free(c);
		errno = saved_errno;
		return NULL;
	}

	router_walltime(r, &c->started);
	c->running = true;
	r->next_capture_id = c->id + 1;
	r->ncaptures_running++;
	TAILQ_INSERT_TAIL(&r->captures, c, entry);
	log_info("%s: capture %u on %s (%s%s%s) to %s", __func__, c->id,
	    iface[0] != '\0' ? iface : "all interfaces",
	    capture_dir_name(direction), c->has_filter ? ", filter " : "",
	    c->filter, c->path);
	return c;
}

/* What the file's buffer holds, to disk. */
static void
capture_flush(struct capture *c)
{
	if (pcap_dump_flush(c->dumper) == -1)
		log_warnx("%s: capture %u: error writing %s", __func__, c->id,
		    c->path);
	c->dirty = false;
}

/* Flush and close the file; the capture and its files stay. */
void
capture_stop(struct router *r, struct capture *c)
{
	if (!c->running)
		return;
	capture_stream_end_all(c);
	capture_flush(c);
	pcap_dump_close(c->dumper);
	c->dumper = NULL;
	c->running = false;
	r->ncaptures_running--;
	router_walltime(r, &c->stopped);
	capture_release(c);
	log_info("%s: capture %u stopped: %llu packets, %llu bytes", __func__,
	    c->id, (unsigned long long)c->packets,
	    (unsigned long long)c->bytes);
}

void
capture_delete(struct router *r, struct capture *c)
{
	capture_stop(r, c);
	if (unlink(c->path) == -1 && errno != ENOENT)
		log_warn("%s: unlink %s", __func__, c->path);
	capture_unlink_rotated(c->path, 1);
	TAILQ_REMOVE(&r->captures, c, entry);
	log_info("%s: capture %u deleted", __func__, c->id);
	free(c);
}

/* The capture with this id, or NULL; owned by the router. */
struct capture *
capture_find(struct router *r, unsigned int id)
{
	struct capture	*c;

	TAILQ_FOREACH(c, &r->captures, entry)
		if (c->id == id)
			return c;
	return NULL;
}

void
capture_frame(struct router *r, struct iface *ifp, int dir,
    const uint8_t *buf, size_t len)
{
	struct capture		*c;
	struct pcap_pkthdr	 hdr;
	bool			 have_ts = false;

	hdr.len = len > UINT32_MAX ? UINT32_MAX : (bpf_u_int32)len;
	TAILQ_FOREACH(c, &r->captures, entry) {
		if (!c->running || (c->direction & dir) == 0)
			continue;
		if (c->iface[0] != '\0' && strcmp(c->iface, ifp->name) != 0)
			continue;
		hdr.caplen = len > CAPTURE_SNAPLEN ? CAPTURE_SNAPLEN :
		    (bpf_u_int32)len;
		if (c->has_filter &&
		    pcap_offline_filter(c->bpf, &hdr, buf) == 0)
			continue;
		if (c->max_bytes != 0 &&
		    c->file_bytes + PCAP_REC_HDR + hdr.caplen > c->max_bytes) {
			if (c->file_bytes > PCAP_FILE_HDR) {
				capture_rotate(r, c);
				if (!c->running)
					continue;
			}
			/* A frame larger than a whole file is cut to fit. */
			if (c->file_bytes + PCAP_REC_HDR + hdr.caplen >
			    c->max_bytes)
				hdr.caplen = (bpf_u_int32)(c->max_bytes -
				    c->file_bytes - PCAP_REC_HDR);
		}
		if (!have_ts) {
			router_walltime(r, &hdr.ts);
			have_ts = true;
		}
		pcap_dump((u_char *)c->dumper, &hdr, buf);
		c->dirty = true;
		if (c->nstreams > 0)
			capture_stream_record(c, &hdr, buf);
		c->file_bytes += PCAP_REC_HDR + hdr.caplen;
		c->packets++;
		c->bytes += len;
	}
}

void
capture_tick(struct router *r)
{
	struct capture	*c;

	if (r->ncaptures_running == 0)
		return;
	TAILQ_FOREACH(c, &r->captures, entry) {
		if (!c->running || !c->dirty)
			continue;
		capture_flush(c);
	}
}

/* Stop and free every capture; the files stay on disk. */
void
capture_shutdown(struct router *r)
{
	struct capture	*c;

	while ((c = TAILQ_FIRST(&r->captures)) != NULL) {
		capture_stop(r, c);
		TAILQ_REMOVE(&r->captures, c, entry);
		free(c);
	}
}

/* mkdir -p with mode 0755. */
static int
capture_mkdirs(const char *dir, char *err, size_t errlen)
{
	char		 path[PATH_MAX];
	char		*p;
	struct stat	 st;

	if (strlen(dir) >= sizeof(path)) {
		snprintf(err, errlen, "capture directory name too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, strlen(dir) + 1);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char	 saved = *p;

			*p = '\0';
			if (mkdir(path, 0755) == -1 && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s",
				    path, strerror(errno));
				return -1;
			}
			*p = saved;
		}
		if (*p == '\0')
			break;
	}
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", path);
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int
capture_open(struct capture *c)
{
	if ((c->dumper = pcap_dump_open(c->dead, c->path)) == NULL)
		return -1;
	c->file_bytes = PCAP_FILE_HDR;
	c->dirty = true;		/* the header, for readers of the file */
	return 0;
}

/*
 * Close the current file, shift the older ones up by one and start a
 * new file.  The new file is a new inode, so a download in progress
 * keeps reading what it started with.  If the new file cannot be
 * created the capture stops.
 */
static void
capture_rotate(struct router *r, struct capture *c)
{
	char		 from[PATH_MAX], to[PATH_MAX];
	uint32_t	 k;

	capture_flush(c);
	pcap_dump_close(c->dumper);
	c->dumper = NULL;

	for (k = c->rotate; k > 1; k--) {
		capture_rotated_name(from, sizeof(from), c->path, k - 1);
		capture_rotated_name(to, sizeof(to), c->path, k);
		if (rename(from, to) == -1 && errno != ENOENT)
			log_warn("%s: rename %s", __func__, from);
	}
	if (c->rotate > 0) {
		capture_rotated_name(to, sizeof(to), c->path, 1);
		if (rename(c->path, to) == -1)
			log_warn("%s: rename %s", __func__, c->path);
	} else if (unlink(c->path) == -1)
		log_warn("%s: unlink %s", __func__, c->path);
	c->files++;

	if (capture_open(c) == -1) {
		log_warnx("%s: capture %u stopped: cannot create %s: %s",
		    __func__, c->id, c->path, pcap_geterr(c->dead));
		capture_stream_end_all(c);
		c->running = false;
		r->ncaptures_running--;
		router_walltime(r, &c->stopped);
		capture_release(c);
	}
}

static void
capture_rotated_name(char *buf, size_t len, const char *path, uint32_t k)
{
	/* capture_start() left room for the suffix. */
	if (snprintf(buf, len, "%s.%u", path, k) >= (int)len)
		fatalx("%s: name too long", __func__);
}

/* Remove path.<from>, path.<from+1>, ... up to the first missing one. */
static void
capture_unlink_rotated(const char *path, uint32_t from)
{
	char		 name[PATH_MAX];
	uint32_t	 k;

	for (k = from; k <= CAPTURE_MAX_ROTATE; k++) {
		capture_rotated_name(name, sizeof(name), path, k);
		if (unlink(name) == -1) {
			if (errno != ENOENT)
				log_warn("%s: unlink %s", __func__, name);
			break;
		}
	}
}

/* Free what only a running capture needs. */
static void
capture_release(struct capture *c)
{
	if (c->bpf != NULL) {
		pcap_freecode(c->bpf);
		free(c->bpf);
		c->bpf = NULL;
	}
	if (c->dumper != NULL) {
		pcap_dump_close(c->dumper);
		c->dumper = NULL;
	}
	if (c->dead != NULL) {
		pcap_close(c->dead);
		c->dead = NULL;
	}
}
