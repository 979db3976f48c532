/*
 * vrouterctl: options, the token, one request, its answer shown.
 *
 *	vrouterctl [-j] [-a URL] [-t FILE] COMMAND [OPERAND...]
 *
 * Exit status 0, 1 when the router cannot be reached or answers an
 * error, 2 for a bad command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util.h"
#include "ctl.h"

struct ctl_main {
	const char	*api;
	const char	*token_file;
	bool		 json;
	bool		 help;
	char		 token[CTL_TOKEN_MAX + 1];
};

struct ctl_opt {
	const char	*name;
	int		 ch;
	const char	*arg;		/* NULL: takes none */
	void		(*set)(struct ctl_main *, const char *);
	const char	*help;
};

static void	opt_api(struct ctl_main *m, const char *a) { m->api = a; }
static void	opt_json(struct ctl_main *m, const char *a)
		    { (void)a; m->json = true; }
static void	opt_token(struct ctl_main *m, const char *a)
		    { m->token_file = a; }
static void	opt_help(struct ctl_main *m, const char *a)
		    { (void)a; m->help = true; }

static const struct ctl_opt ctl_opts[] = {
	{ "api", 'a', "URL", opt_api,
	    "the API (default $VROUTER_API, else " CTL_DEFAULT_API ")" },
	{ "json", 'j', NULL, opt_json, "print the API's JSON as it is" },
	{ "token-file", 't', "FILE", opt_token,
	    "the API token for changes (default $VROUTER_TOKEN)" },
	{ "help", 'h', NULL, opt_help, "this text" },
};

static void
usage(FILE *f)
{
	struct ctl_lines	 cmds = { NULL, 0, 0 };
	char			 name[64];
	size_t			 i;

	fprintf(f, "usage: vrouterctl [-hj] [-a URL] [-t FILE] COMMAND "
	    "[OPERAND...]\n");
	for (i = 0; i < NITEMS(ctl_opts); i++) {
		snprintf(name, sizeof(name), "--%s%s%s", ctl_opts[i].name,
		    ctl_opts[i].arg != NULL ? " " : "",
		    ctl_opts[i].arg != NULL ? ctl_opts[i].arg : "");
		fprintf(f, "  -%c, %-18s %s\n", ctl_opts[i].ch, name,
		    ctl_opts[i].help);
	}
	fprintf(f, "commands:\n");
	ctl_cmd_usage(&cmds);
	for (i = 0; i < cmds.n; i++)
		fprintf(f, "  %s\n", cmds.v[i]);
	ctl_lines_free(&cmds);
}

static int
parse_opts(struct ctl_main *m, int argc, char *argv[])
{
	struct option	 longs[NITEMS(ctl_opts) + 1];
	char		 shorts[2 * NITEMS(ctl_opts) + 2] = "+";
	size_t		 i, n = 1;
	int		 ch;

	memset(longs, 0, sizeof(longs));
	for (i = 0; i < NITEMS(ctl_opts); i++) {
		longs[i].name = ctl_opts[i].name;
		longs[i].has_arg = ctl_opts[i].arg != NULL ? required_argument :
		    no_argument;
		longs[i].val = ctl_opts[i].ch;
		shorts[n++] = (char)ctl_opts[i].ch;
		if (ctl_opts[i].arg != NULL)
			shorts[n++] = ':';
	}
	shorts[n] = '\0';
	while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		for (i = 0; i < NITEMS(ctl_opts); i++)
			if (ctl_opts[i].ch == ch)
				break;
		if (i == NITEMS(ctl_opts))
			return -1;
		ctl_opts[i].set(m, optarg);
	}
	return 0;
}

/* The first line of the token file, or $VROUTER_TOKEN. */
static int
read_token(struct ctl_main *m)
{
	const char	*env = getenv("VROUTER_TOKEN");
	FILE		*f;

	if (m->token_file == NULL) {
		snprintf(m->token, sizeof(m->token), "%s", env != NULL ? env :
		    "");
		return 0;
	}
	if ((f = fopen(m->token_file, "r")) == NULL) {
		fprintf(stderr, "vrouterctl: %s: %s\n", m->token_file,
		    strerror(errno));
		return -1;
	}
	if (fgets(m->token, sizeof(m->token), f) == NULL)
		m->token[0] = '\0';
	fclose(f);
	m->token[strcspn(m->token, "\r\n")] = '\0';
	return 0;
}

/* An error answer: the API's message, or the status alone. */
static int
show_error(const struct ctl_main *m, const struct ctl_answer *ans)
{
	json_t		*j = json_loads(ans->body, 0, NULL);
	const char	*msg = json_string_value(json_object_get(j, "error"));

	fprintf(stderr, "vrouterctl: HTTP %d: %s\n", ans->code,
	    msg != NULL ? msg : "no message");
	if (ans->code == 401 && m->token[0] == '\0')
		fprintf(stderr, "vrouterctl: changes need the API token: "
		    "--token-file FILE or VROUTER_TOKEN\n");
	json_decref(j);
	return CTL_EXIT_FAIL;
}

static int
show_raw(const struct ctl_req *req, const struct ctl_answer *ans)
{
	FILE	*f = stdout;

	if (req->out != NULL && (f = fopen(req->out, "w")) == NULL) {
		fprintf(stderr, "vrouterctl: %s: %s\n", req->out,
		    strerror(errno));
		return CTL_EXIT_FAIL;
	}
	if (fwrite(ans->body, 1, ans->len, f) != ans->len ||
	    (f != stdout ? fclose(f) : fflush(f)) != 0) {
		fprintf(stderr, "vrouterctl: %s: %s\n", req->out != NULL ?
		    req->out : "stdout", strerror(errno));
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

static int
show_view(const struct ctl_req *req, const struct ctl_answer *ans)
{
	struct ctl_lines	 lines = { NULL, 0, 0 };
	json_error_t		 jerr;
	json_t			*j;
	char			 err[256];
	size_t			 i;
	int			 rc = CTL_EXIT_OK;

	if ((j = json_loads(ans->body, 0, &jerr)) == NULL) {
		fprintf(stderr, "vrouterctl: the answer is not JSON: %s\n",
		    jerr.text);
		return CTL_EXIT_FAIL;
	}
	if (ctl_view_render(req->view, j, &lines, err, sizeof(err)) == -1) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		rc = CTL_EXIT_FAIL;
	}
	for (i = 0; i < lines.n; i++)
		printf("%s\n", lines.v[i]);
	ctl_lines_free(&lines);
	json_decref(j);
	return rc;
}

static int
show(const struct ctl_main *m, const struct ctl_req *req,
    const struct ctl_answer *ans)
{
	if (ans->code >= 400)
		return show_error(m, ans);
	if (req->raw)
		return show_raw(req, ans);
	if (m->json) {
		fwrite(ans->body, 1, ans->len, stdout);
		return CTL_EXIT_OK;
	}
	if (req->view == NULL || ans->len == 0)
		return CTL_EXIT_OK;
	return show_view(req, ans);
}

int
main(int argc, char *argv[])
{
	struct ctl_main		 m = { NULL, NULL, false, false, "" };
	struct ctl_req		 req;
	struct ctl_answer	 ans = { 0, NULL, 0 };
	char			 err[512] = "";
	int			 rc;

	if ((m.api = getenv("VROUTER_API")) == NULL || *m.api == '\0')
		m.api = CTL_DEFAULT_API;
	if (parse_opts(&m, argc, argv) == -1) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (m.help) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (ctl_cmd_parse(argc - optind, argv + optind, &req, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		fprintf(stderr, "vrouterctl: see vrouterctl -h\n");
		return CTL_EXIT_USAGE;
	}
	if (req.raw && req.out == NULL && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "vrouterctl: not writing a pcap file to a "
		    "terminal; name a FILE or redirect\n");
		ctl_req_clear(&req);
		return CTL_EXIT_USAGE;
	}
	if (read_token(&m) == -1 ||
	    ctl_http(m.api, m.token, &req, &ans, err, sizeof(err)) == -1) {
		if (err[0] != '\0')
			fprintf(stderr, "vrouterctl: %s\n", err);
		ctl_req_clear(&req);
		return CTL_EXIT_FAIL;
	}
	rc = show(&m, &req, &ans);
	ctl_answer_clear(&ans);
	ctl_req_clear(&req);
	return rc;
}
