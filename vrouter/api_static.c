/*
 * The dashboard: the static files of web/ served on the API's port,
 * GET / being index.html and GET /web/{file} the others.  Only regular
 * files directly inside the web root are served, named [A-Za-z0-9._-]+
 * without a leading '.', of a known type and at most 1 MiB; anything
 * else is a 404.  Like the API's reads, they need no token.
 *
 * GET /api/v1/openapi.yaml is the API's own contract, docs/openapi.yaml
 * of the source tree or the copy "make install" puts in SHAREDIR.
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

#include "log.h"
#include "router.h"
#include "api.h"

#define WEB_MAX_FILE		(1024 * 1024)
#define WEB_MAX_NAME		64
#define WEB_INDEX		"index.html"
#ifndef SHAREDIR
#define SHAREDIR		"/usr/local/share/vrouter"
#endif
#define WEB_INSTALLED		SHAREDIR "/web"
#define OPENAPI_NAME		"openapi.yaml"
#define OPENAPI_TYPE		"application/yaml"
#define WEB_NAME_CHARS		"ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
				"abcdefghijklmnopqrstuvwxyz0123456789._-"

static const struct {
	const char	*ext;
	const char	*type;
} web_types[] = {
	{ "html",	"text/html; charset=utf-8" },
	{ "js",		"text/javascript; charset=utf-8" },
	{ "css",	"text/css; charset=utf-8" },
	{ "svg",	"image/svg+xml" },
	{ "png",	"image/png" },
	{ "ico",	"image/x-icon" },
};

static bool	 web_dir(const char *, char *resolved);
static void	 openapi_init(struct router *, const char *exe_dir);

/*
 * The Content-Type for a file name, or NULL when the name may not be
 * served: empty, too long, a leading '.', a character outside
 * [A-Za-z0-9._-] (so no '/'), or an unknown extension.
 */
const char *
api_static_type(const char *name)
{
	const char	*dot;
	size_t		 len = strlen(name), i;

	if (len == 0 || len > WEB_MAX_NAME || name[0] == '.' ||
	    strspn(name, WEB_NAME_CHARS) != len ||
	    (dot = strrchr(name, '.')) == NULL)
		return NULL;
	for (i = 0; i < sizeof(web_types) / sizeof(web_types[0]); i++)
		if (strcmp(dot + 1, web_types[i].ext) == 0)
			return web_types[i].type;
	return NULL;
}

/* A directory holding index.html; its canonical path in resolved. */
static bool
web_dir(const char *path, char *resolved)
{
	struct stat	 st;
	char		 index[PATH_MAX];

	if (realpath(path, resolved) == NULL ||
	    stat(resolved, &st) == -1 || !S_ISDIR(st.st_mode))
		return false;
	if ((size_t)snprintf(index, sizeof(index), "%s/%s", resolved,
	    WEB_INDEX) >= sizeof(index))
		return false;
	return stat(index, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Find the web root: api.web_root when set, else web/ next to the
 * directory of the binary (build/vrouter in a source tree), else where
 * "make install" puts it.  None: the dashboard is off, the API is not.
 */
void
api_static_init(struct router *r)
{
	char	 exe[PATH_MAX], cand[PATH_MAX], *slash;
	ssize_t	 n;

	r->web_root[0] = '\0';
	exe[0] = '\0';
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
	}
	openapi_init(r, exe);
	if (r->conf->api_web_root[0] != '\0') {
		if (!web_dir(r->conf->api_web_root, r->web_root)) {
			r->web_root[0] = '\0';
			log_warnx("%s: api.web_root %s is not a directory with "
			    "%s; no dashboard", __func__,
			    r->conf->api_web_root, WEB_INDEX);
		}
		return;
	}
	if (exe[0] != '\0' && (size_t)snprintf(cand, sizeof(cand),
	    "%s/../web", exe) < sizeof(cand) && web_dir(cand, r->web_root))
		return;
	if (web_dir(WEB_INSTALLED, r->web_root))
		return;
	r->web_root[0] = '\0';
	log_info("%s: no dashboard: neither the binary's ../web nor %s "
	    "holds %s (set api.web_root)", __func__, WEB_INSTALLED,
	    WEB_INDEX);
}

/* A regular file of at most 1 MiB, or a 404; 500 when it cannot be read. */
static void
api_send_file(struct api_call *call, const char *path, const char *type)
{
	struct evbuffer			*buf;
	struct evbuffer_file_segment	*seg;
	struct stat			 st;
	int				 fd, rc;

	/* O_NONBLOCK: a FIFO put there must not stall the event loop. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_size > WEB_MAX_FILE) {
		if (fd == -1)
			log_debug("%s: %s: %s", __func__, path,
			    strerror(errno));
		else {
			log_debug("%s: %s: not a regular file of at most "
			    "1 MiB", __func__, path);
			close(fd);
		}
		api_error(call, 404, "no such file");
		return;
	}
	/*
	 * What evbuffer_add_file() does, but the segment takes the fd
	 * only once it exists, so the fd is closed on every failure.
	 */
	if ((buf = evbuffer_new()) == NULL ||
	    (seg = evbuffer_file_segment_new(fd, 0, st.st_size,
	    EVBUF_FS_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		if (buf != NULL)
			evbuffer_free(buf);
		api_error(call, 500, "cannot read %s", strrchr(path, '/') + 1);
		return;
	}
	rc = evbuffer_add_file_segment(buf, seg, 0, st.st_size);
	evbuffer_file_segment_free(seg);
	if (rc == -1) {
		evbuffer_free(buf);
		api_error(call, 500, "cannot read %s", strrchr(path, '/') + 1);
		return;
	}
	api_set_header(call, "Content-Type", type);
	api_set_header(call, "Cache-Control", "no-cache");
	api_set_header(call, "X-Content-Type-Options", "nosniff");
	api_send(call, 200, buf);
	evbuffer_free(buf);
}

/* GET / and GET /web/{file} */
void
api_static(struct api_call *call)
{
	const char	*name, *type;
	char		 path[PATH_MAX];

	name = call->arg[0] != NULL ? call->arg[0] : WEB_INDEX;
	if (call->r->web_root[0] == '\0') {
		api_error(call, 404, "no dashboard: api.web_root is not set "
		    "and web/ was not found");
		return;
	}
	if ((type = api_static_type(name)) == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", call->r->web_root,
	    name) >= sizeof(path)) {
		api_error(call, 404, "no such file");
		return;
	}
	/* Everything the page uses comes from the router itself. */
	api_set_header(call, "Content-Security-Policy", "default-src 'self'; "
	    "img-src 'self' data:; frame-ancestors 'none'");
	api_send_file(call, path, type);
}

/*
 * The API document: docs/ beside the binary's directory (build/vrouter
 * in a source tree), docs/ beside a configured web root from a source
 * tree, or where "make install" puts it.  "" when there is none.
 */
static void
openapi_init(struct router *r, const char *exe_dir)
{
	const char	*fmt[] = { "%s/../docs/" OPENAPI_NAME,
			    "%s/../docs/" OPENAPI_NAME, "%s/" OPENAPI_NAME };
	const char	*dir[] = { exe_dir, r->conf->api_web_root, SHAREDIR };
	struct stat	 st;
	char		 cand[PATH_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(dir) / sizeof(dir[0]); i++) {
		if (dir[i][0] == '\0' || (size_t)snprintf(cand, sizeof(cand),
		    fmt[i], dir[i]) >= sizeof(cand))
			continue;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    realpath(cand, r->openapi) != NULL)
			return;
	}
	r->openapi[0] = '\0';
	log_info("%s: no %s found beside the binary, the web root or in %s",
	    __func__, OPENAPI_NAME, SHAREDIR);
}

/* GET /api/v1/openapi.yaml */
void
api_openapi(struct api_call *call)
{
	if (call->r->openapi[0] == '\0') {
		api_error(call, 404, "no %s installed", OPENAPI_NAME);
		return;
	}
	api_send_file(call, call->r->openapi, OPENAPI_TYPE);
}
