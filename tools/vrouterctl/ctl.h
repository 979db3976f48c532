/*
 * vrouterctl: the router's REST API from the command line.  One table
 * of commands (cmd.c) turns the words of the command line into one
 * request; one table of views (view.c) turns its JSON answer into
 * aligned lines; http.c sends the request over libevent's HTTP client;
 * main.c reads the options.  cmd.c and view.c are pure and unit-tested.
 */
#ifndef VROUTERCTL_H
#define VROUTERCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define CTL_DEFAULT_API		"http://[::1]:8080"
#define CTL_PATH_MAX		1024
#define CTL_TOKEN_MAX		128

/* Exit statuses. */
#define CTL_EXIT_OK		0
#define CTL_EXIT_FAIL		1	/* no router, an HTTP error */
#define CTL_EXIT_USAGE		2

struct ctl_view;

/* One request, as a command builds it. */
struct ctl_req {
	const char		*method;	/* "GET", "PATCH", ... */
	char			 path[CTL_PATH_MAX];	/* from "/api/v1" on */
	json_t			*body;		/* owned; NULL: none */
	bool			 auth;		/* needs the bearer token */
	bool			 raw;		/* the answer is not JSON (pcap) */
	const char		*out;		/* raw: file to write, NULL: stdout */
	const struct ctl_view	*view;		/* how to show a JSON answer */
};

/* lines of text a view renders, each owned by the array */
struct ctl_lines {
	char		**v;
	size_t		  n;
	size_t		  cap;
};

/* cmd.c: the commands; pure */
/* 0, or -1 with a message (a usage error). */
int	 ctl_cmd_parse(int argc, char *const argv[], struct ctl_req *,
	    char *err, size_t errlen);
void	 ctl_req_clear(struct ctl_req *);
/* One line per command, for the usage text. */
void	 ctl_cmd_usage(struct ctl_lines *);

/* view.c: JSON answers as aligned tables; pure */
/* The view of that name ("routes", ...), or NULL. */
const struct ctl_view *ctl_view_find(const char *);
/* 0, or -1 with a message when the answer is not what the view expects. */
int	 ctl_view_render(const struct ctl_view *, json_t *answer,
	    struct ctl_lines *, char *err, size_t errlen);
void	 ctl_lines_add(struct ctl_lines *, const char *);
void	 ctl_lines_free(struct ctl_lines *);

/* http.c: one request to the API */
struct ctl_answer {
	int		 code;		/* HTTP status, 0: no answer */
	char		*body;		/* NUL-terminated, owned */
	size_t		 len;
};
/* 0 with an answer (any status), or -1 with a message: no answer. */
int	 ctl_http(const char *api, const char *token, const struct ctl_req *,
	    struct ctl_answer *, char *err, size_t errlen);
void	 ctl_answer_clear(struct ctl_answer *);

#endif /* VROUTERCTL_H */
