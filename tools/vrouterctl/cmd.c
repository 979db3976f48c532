/*
 * The commands of vrouterctl, one row each: the words that name it,
 * its operands, the request it makes and the view of the answer.  An
 * operand goes into the path percent-encoded; those past the path's
 * "%s" are the body's, read by the row's body function.  Pure.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"
#include "ctl.h"

#define CTL_MAX_WORDS	3
#define CTL_MAX_OPS	10

typedef int	(*ctl_body_fn)(struct ctl_req *, char *const *ops, int nops,
		    char *err, size_t errlen);

struct ctl_cmd {
	const char	*words;		/* "show members" */
	const char	*ops;		/* the operands in the usage */
	int		 min, max;	/* how many operands */
	const char	*method;
	const char	*path;		/* below /api/v1, "%s": an operand */
	const char	*path_all;	/* with every operand, NULL: path */
	const char	*view;		/* NULL: nothing to show */
	ctl_body_fn	 body;		/* the operands past the path, or NULL */
	const char	*fixed;		/* a body that is always the same */
	bool		 raw;		/* the answer is a file */
};

static int	body_policy(struct ctl_req *, char *const *, int, char *,
		    size_t);
static int	body_weight(struct ctl_req *, char *const *, int, char *,
		    size_t);
static int	body_capture(struct ctl_req *, char *const *, int, char *,
		    size_t);
static int	body_outfile(struct ctl_req *, char *const *, int, char *,
		    size_t);

static const struct ctl_cmd ctl_cmds[] = {
	{ "show status", "", 0, 0, "GET", "/status", NULL, "status", NULL, NULL,
	    false },
	{ "show interfaces", "", 0, 0, "GET", "/interfaces", NULL,
	    "interfaces", NULL, NULL, false },
	{ "show routes", "", 0, 0, "GET", "/routes", NULL, "routes", NULL, NULL,
	    false },
	{ "show neighbors", "", 0, 0, "GET", "/neighbors", NULL, "neighbors",
	    NULL, NULL, false },
	{ "show groups", "", 0, 0, "GET", "/groups", NULL, "groups", NULL, NULL,
	    false },
	{ "show members", "[A]", 0, 1, "GET", "/groups", "/groups/%s",
	    "members", NULL, NULL, false },
	{ "show flows", "[A]", 0, 1, "GET", "/flows",
	    "/flows?group=%s", "flows", NULL, NULL, false },
	{ "show counters", "", 0, 0, "GET", "/counters", NULL, "counters",
	    NULL, NULL, false },
	{ "group policy", "A POLICY", 2, 2, "PATCH", "/groups/%s", NULL,
	    "groups", body_policy, NULL, false },
	{ "member drain", "A U", 2, 2, "PATCH", "/groups/%s/members/%s",
	    NULL, "members", NULL, "{\"drain\": true}", false },
	{ "member undrain", "A U", 2, 2, "PATCH", "/groups/%s/members/%s",
	    NULL, "members", NULL, "{\"drain\": false}", false },
	{ "member weight", "A U WEIGHT", 3, 3, "PATCH",
	    "/groups/%s/members/%s", NULL, "members", body_weight, NULL, false },
	{ "flows flush", "[A]", 0, 1, "DELETE", "/flows", "/flows?group=%s",
	    "result", NULL, NULL, false },
	{ "capture list", "", 0, 0, "GET", "/captures", NULL, "captures",
	    NULL, NULL, false },
	{ "capture show", "ID", 1, 1, "GET", "/captures/%s", NULL,
	    "captures", NULL, NULL, false },
	{ "capture start", "[interface NAME] [direction rx|tx|both] "
	    "[filter EXPR] [max-bytes N] [rotate N]", 0, CTL_MAX_OPS, "POST",
	    "/captures", NULL, "captures", body_capture, NULL, false },
	{ "capture stop", "ID", 1, 1, "POST", "/captures/%s/stop", NULL,
	    "captures", NULL, NULL, false },
	{ "capture get", "ID [FILE]", 1, 2, "GET", "/captures/%s/pcap", NULL,
	    NULL, body_outfile, NULL, true },
	{ "capture delete", "ID", 1, 1, "DELETE", "/captures/%s", NULL, NULL,
	    NULL, NULL, false },
};

/* The keywords of "capture start" and the body's keys they set. */
static const struct {
	const char	*word;
	const char	*key;
	bool		 number;
} ctl_capture_keys[] = {
	{ "interface",	"interface",	false },
	{ "direction",	"direction",	false },
	{ "filter",	"filter",	false },
	{ "max-bytes",	"max_bytes",	true },
	{ "rotate",	"rotate",	true },
};

/* ---------------------------------------------------------------------- */
/* bodies */

/* A decimal integer without sign or trailing text. */
static int
ctl_number(const char *s, long long max, json_int_t *out)
{
	long long	 v;
	char		*end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
body_policy(struct ctl_req *req, char *const *ops, int nops, char *err,
    size_t errlen)
{
	(void)nops, (void)err, (void)errlen;
	req->body = json_pack("{s:s}", "policy", ops[1]);
	return 0;
}

static int
body_weight(struct ctl_req *req, char *const *ops, int nops, char *err,
    size_t errlen)
{
	json_int_t	 w;

	(void)nops;
	if (ctl_number(ops[2], 1LL << 32, &w) == -1)
		return errf(err, errlen, "weight %s: not a number", ops[2]);
	req->body = json_pack("{s:I}", "weight", w);
	return 0;
}

static int
capture_key(json_t *body, const char *word, const char *val, char *err,
    size_t errlen)
{
	json_int_t	 n;
	size_t		 i;

	for (i = 0; i < NITEMS(ctl_capture_keys); i++) {
		if (strcmp(word, ctl_capture_keys[i].word) != 0)
			continue;
		if (!ctl_capture_keys[i].number)
			return json_object_set_new(body,
			    ctl_capture_keys[i].key, json_string(val));
		if (ctl_number(val, 1LL << 53, &n) == -1)
			return errf(err, errlen, "%s %s: not a number",
			    word, val);
		return json_object_set_new(body, ctl_capture_keys[i].key,
		    json_integer(n));
	}
	return errf(err, errlen, "capture start: unknown keyword \"%s\"",
	    word);
}

/* [interface NAME] [direction D] [filter EXPR] [max-bytes N] [rotate N] */
static int
body_capture(struct ctl_req *req, char *const *ops, int nops, char *err,
    size_t errlen)
{
	int	 i;

	req->body = json_object();
	for (i = 0; i < nops; i += 2) {
		if (i + 1 == nops)
			return errf(err, errlen, "capture start: %s needs "
			    "a value", ops[i]);
		if (capture_key(req->body, ops[i], ops[i + 1], err, errlen) ==
		    -1)
			return -1;
	}
	return 0;
}

static int
body_outfile(struct ctl_req *req, char *const *ops, int nops, char *err,
    size_t errlen)
{
	(void)err, (void)errlen;
	req->out = nops > 1 && strcmp(ops[1], "-") != 0 ? ops[1] : NULL;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* the command line */

/* Unreserved characters and ':' stay; the rest is %XX. */
static size_t
ctl_encode(char *out, size_t len, const char *s)
{
	static const char	 keep[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:";
	size_t			 n = 0;

	for (; *s != '\0'; s++) {
		if (strchr(keep, *s) != NULL) {
			if (n + 1 < len)
				out[n] = *s;
			n++;
		} else {
			if (n + 3 < len)
				snprintf(out + n, len - n, "%%%02X",
				    (unsigned char)*s);
			n += 3;
		}
	}
	if (len > 0)
		out[n < len ? n : len - 1] = '\0';
	return n;
}

/* "/api/v1" and the template, each "%s" the next operand encoded. */
static int
ctl_path(char *out, size_t len, const char *tmpl, char *const *ops,
    char *err, size_t errlen)
{
	size_t	 n = strlen("/api/v1");

	memcpy(out, "/api/v1", n + 1);
	for (; *tmpl != '\0' && n < len; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 's') {
			n += ctl_encode(out + n, len - n, *ops++);
			tmpl++;
		} else
			out[n++] = *tmpl;
	}
	if (n >= len)
		return errf(err, errlen, "operand too long");
	out[n] = '\0';
	return 0;
}

/* The words of the row start argv: how many, or 0. */
static int
ctl_words(const struct ctl_cmd *c, int argc, char *const argv[])
{
	char		 words[64], *w, *save;
	int		 n = 0;

	snprintf(words, sizeof(words), "%s", c->words);
	for (w = strtok_r(words, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save), n++)
		if (n == argc || strcmp(argv[n], w) != 0)
			return 0;
	return n;
}

static int
ctl_build(const struct ctl_cmd *c, int nops, char *const ops[],
    struct ctl_req *req, char *err, size_t errlen)
{
	const char	*tmpl = c->path;

	if (nops < c->min || nops > c->max)
		return errf(err, errlen, "usage: vrouterctl %s%s%s",
		    c->words, c->ops[0] != '\0' ? " " : "", c->ops);
	if (c->path_all != NULL && nops == c->max)
		tmpl = c->path_all;
	req->method = c->method;
	req->auth = strcmp(c->method, "GET") != 0;
	req->raw = c->raw;
	req->view = c->view != NULL ? ctl_view_find(c->view) : NULL;
	if (ctl_path(req->path, sizeof(req->path), tmpl, ops, err, errlen) ==
	    -1)
		return -1;
	if (c->fixed != NULL)
		req->body = json_loads(c->fixed, 0, NULL);
	return c->body != NULL ? c->body(req, ops, nops, err, errlen) : 0;
}

/* The command is unknown: what could follow its first word, if anything. */
static int
ctl_unknown(int argc, char *const argv[], char *err, size_t errlen)
{
	char	 next[256] = "";
	size_t	 i, n = strlen(argv[0]);

	for (i = 0; i < NITEMS(ctl_cmds); i++)
		if (strncmp(ctl_cmds[i].words, argv[0], n) == 0 &&
		    ctl_cmds[i].words[n] == ' ')
			snprintf(next + strlen(next), sizeof(next) -
			    strlen(next), "%s%s", next[0] != '\0' ? ", " : "",
			    ctl_cmds[i].words + n + 1);
	if (next[0] != '\0')
		return errf(err, errlen, "%s %s: expected %s %s", argv[0],
		    argc > 1 ? argv[1] : "what?", argv[0], next);
	return errf(err, errlen, "unknown command \"%s\"", argv[0]);
}

int
ctl_cmd_parse(int argc, char *const argv[], struct ctl_req *req, char *err,
    size_t errlen)
{
	size_t	 i;
	int	 n;

	memset(req, 0, sizeof(*req));
	if (argc == 0)
		return errf(err, errlen, "no command");
	for (i = 0; i < NITEMS(ctl_cmds); i++)
		if ((n = ctl_words(&ctl_cmds[i], argc, argv)) > 0)
			return ctl_build(&ctl_cmds[i], argc - n, argv + n,
			    req, err, errlen);
	return ctl_unknown(argc, argv, err, errlen);
}

void
ctl_req_clear(struct ctl_req *req)
{
	json_decref(req->body);
	memset(req, 0, sizeof(*req));
}

void
ctl_cmd_usage(struct ctl_lines *out)
{
	char	 line[256];
	size_t	 i;

	for (i = 0; i < NITEMS(ctl_cmds); i++) {
		snprintf(line, sizeof(line), "%s%s%s", ctl_cmds[i].words,
		    ctl_cmds[i].ops[0] != '\0' ? " " : "", ctl_cmds[i].ops);
		ctl_lines_add(out, line);
	}
}
