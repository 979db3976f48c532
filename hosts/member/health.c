/*
 * Health and load for REPORTs.  Health: a non-blocking TCP connect to
 * the service on the anycast address, or the exit status of a command,
 * or always up.  Load: the output of a command, the CPU used by the
 * member's cgroup (cgroup.c), or computed (load.c).
 * Checks run once per report interval and never block the loop:
 * commands are reaped on SIGCHLD and killed after a timeout.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "util.h"
#include "agent.h"

static void	 ma_health_set(struct agent *, uint8_t, const char *);
static void	 ma_health_tcp_cb(evutil_socket_t, short, void *);
static void	 ma_cmd_timeout_cb(evutil_socket_t, short, void *);

static uint32_t
ma_health_timeout_ms(const struct agent *a)
{
	uint32_t	 iv = a->interval_ms != 0 ? a->interval_ms :
	    a->o.interval_ms;

	return iv < MA_CHECK_TIMEOUT_MS ? iv : MA_CHECK_TIMEOUT_MS;
}

void
ma_health_init(struct agent *a)
{
	a->health_fd = -1;
	a->health_run.cmd = a->o.health_cmd;
	a->health_run.out = -1;
	a->load_run.cmd = a->o.load_cmd;
	a->load_run.out = -1;
	a->health_run.owner = a;
	a->load_run.owner = a;
	a->health_run.ev_timeout = evtimer_new(a->base, ma_cmd_timeout_cb,
	    &a->health_run);
	a->load_run.ev_timeout = evtimer_new(a->base, ma_cmd_timeout_cb,
	    &a->load_run);
	if (a->health_run.ev_timeout == NULL || a->load_run.ev_timeout == NULL)
		fatalx("cannot create events");
	if (a->o.cgroup != NULL) {
		char	 err[256];

		if (ma_cgroup_open(&a->cg, a->o.cgroup, err,
		    sizeof(err)) == -1)
			fatalx("--cgroup: %s", err);
		if (ma_cgroup_sample(&a->cg, mono_ns() / 1000,
		    sysconf(_SC_NPROCESSORS_ONLN), err, sizeof(err)) == -1)
			fatalx("--cgroup: %s", err);
	}
	if (a->o.health == MA_HEALTH_ALWAYS) {
		a->health = MP_HEALTH_UP;
		a->health_known = true;
	}
}

static void
ma_health_set(struct agent *a, uint8_t h, const char *why)
{
	bool	 changed = !a->health_known || a->health != h;

	if (!changed)
		return;
	a->health = h;
	a->health_known = true;
	log_info("health %s (%s)", h == MP_HEALTH_UP ? "up" : "down", why);
	ma_ctl_report_now(a);
}

/* TCP: connect to [group]:port; refused or timed out means down. */
static void
ma_health_tcp_start(struct agent *a)
{
	struct sockaddr_in6	 sin6;
	struct timeval		 tv;
	uint32_t		 ms = ma_health_timeout_ms(a);
	int			 s;

	if (a->health_fd != -1)
		return;		/* still running */
	if ((s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warnx("health check: socket: %s", strerror(errno));
		return;
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = a->o.group;
	sin6.sin6_port = htons(a->o.health_port);
	if (connect(s, (struct sockaddr *)&sin6, sizeof(sin6)) == 0) {
		close(s);
		ma_health_set(a, MP_HEALTH_UP, "service accepts connections");
		return;
	}
	if (errno != EINPROGRESS) {
		ma_health_set(a, MP_HEALTH_DOWN, strerror(errno));
		close(s);
		return;
	}
	a->ev_health_fd = event_new(a->base, s, EV_WRITE, ma_health_tcp_cb, a);
	if (a->ev_health_fd == NULL) {
		close(s);
		return;
	}
	a->health_fd = s;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(a->ev_health_fd, &tv);
}

static void
ma_health_tcp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent	*a = arg;
	socklen_t	 len = sizeof(int);
	int		 error = 0;

	if (what & EV_TIMEOUT)
		ma_health_set(a, MP_HEALTH_DOWN, "connect timed out");
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1 ||
	    error != 0)
		ma_health_set(a, MP_HEALTH_DOWN, strerror(error != 0 ? error :
		    errno));
	else
		ma_health_set(a, MP_HEALTH_UP, "service accepts connections");
	event_free(a->ev_health_fd);
	a->ev_health_fd = NULL;
	close(a->health_fd);
	a->health_fd = -1;
}

/* Start CMD under /bin/sh, its stdout into a pipe.  0 or -1. */
static int
ma_cmd_start(struct agent *a, struct ma_cmd *c)
{
	int	 p[2], null;
	pid_t	 pid;

	if (c->pid != 0)
		return 0;	/* still running: the timeout will end it */
	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warnx("pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_warnx("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* Own process group: a timeout ends the whole command. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if ((null = open("/dev/null", O_RDONLY)) != -1) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
		dup2(p[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", c->cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);	/* as the child does: no race either way */
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	c->pid = pid;
	c->out = p[0];
	ma_timer_ms(c->ev_timeout, ma_health_timeout_ms(a));
	return 0;
}

/* The command has exited (status) or was killed (status -1). */
static void
ma_cmd_done(struct agent *a, struct ma_cmd *c, int status)
{
	char	 out[64];
	ssize_t	 n;
	uint8_t	 pct;

	n = read(c->out, out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(c->out);
	c->out = -1;
	c->pid = 0;
	evtimer_del(c->ev_timeout);

	if (c == &a->health_run) {
		if (status == -1)
			ma_health_set(a, MP_HEALTH_DOWN,
			    "health command timed out");
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ma_health_set(a, MP_HEALTH_UP,
			    "health command exited 0");
		else
			ma_health_set(a, MP_HEALTH_DOWN,
			    "health command failed");
		return;
	}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    ma_load_from_text(out, &pct) == -1) {
		if (a->cmd_load_valid)
			log_warnx("load command gave no load (0-100); "
			    "reporting the computed load");
		a->cmd_load_valid = false;
		return;
	}
	a->cmd_load = pct;
	a->cmd_load_valid = true;
}

static void
ma_cmd_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ma_cmd	*c = arg;
	int		 status;

	(void)fd;
	(void)what;
	if (c->pid == 0)
		return;
	/* Our own child and its process group. */
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &status, 0);
	ma_cmd_done(c->owner, c, -1);
}

void
ma_health_sigchld(struct agent *a)
{
	struct ma_cmd	*c;
	int		 status;

	for (c = &a->health_run; c != NULL;
	    c = c == &a->health_run ? &a->load_run : NULL)
		if (c->pid != 0 && waitpid(c->pid, &status, WNOHANG) == c->pid)
			ma_cmd_done(a, c, status);
}

void
ma_health_start(struct agent *a)
{
	switch (a->o.health) {
	case MA_HEALTH_ALWAYS:
		break;
	case MA_HEALTH_TCP:
		ma_health_tcp_start(a);
		break;
	case MA_HEALTH_CMD:
		ma_cmd_start(a, &a->health_run);
		break;
	}
	if (a->o.load_cmd != NULL)
		ma_cmd_start(a, &a->load_run);
}

/* The cgroup's load over the time since the last REPORT. */
static uint8_t
ma_health_cgroup_load(struct agent *a)
{
	char	 err[256];

	if (ma_cgroup_sample(&a->cg, mono_ns() / 1000,
	    sysconf(_SC_NPROCESSORS_ONLN), err, sizeof(err)) == -1) {
		if (!a->cg.warned)
			log_warnx("%s; reporting the last load (%u %%)", err,
			    a->cg.load);
		a->cg.warned = true;
	} else
		a->cg.warned = false;
	return a->cg.load;
}

uint8_t
ma_health_load(struct agent *a)
{
	double	 avg = 0;
	long	 ncpu;

	if (a->o.load_cmd != NULL && a->cmd_load_valid)
		return a->cmd_load;
	if (a->o.cgroup != NULL)
		return ma_health_cgroup_load(a);
	if (a->o.capacity != 0)
		return ma_load_pct((uint32_t)a->sessions.n, a->o.capacity,
		    0, 1);
	if (ma_loadavg_read(&avg) == -1)
		return 0;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	return ma_load_pct(0, 0, avg, ncpu);
}

void
ma_health_free(struct agent *a)
{
	struct ma_cmd	*c;
	int		 status;

	if (a->ev_health_fd != NULL) {
		event_free(a->ev_health_fd);
		close(a->health_fd);
		a->health_fd = -1;
	}
	for (c = &a->health_run; c != NULL;
	    c = c == &a->health_run ? &a->load_run : NULL) {
		if (c->pid != 0) {
			kill(-c->pid, SIGKILL);
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
			close(c->out);
		}
		if (c->ev_timeout != NULL)
			event_free(c->ev_timeout);
	}
}
