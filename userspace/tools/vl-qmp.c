// SPDX-License-Identifier: GPL-2.0
/*
 * vl-qmp: a QMP client for shell scripts, on boards that have no
 * qmp-shell.  It connects to a QMP server's unix socket (vl-qmpd, or
 * QEMU), negotiates, then takes one step per line on standard input and
 * answers each with one line on standard output.  A script drives a whole
 * conversation through two pipes, and waits for events that came while it
 * did something else (the connection stays open across its steps, which
 * one connection per command could not do).  scripts/demo is its user.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmp_client.h"

#define DEFAULT_TIMEOUT_S	60

static const char usage_text[] =
"usage: vl-qmp [--verbose] [--timeout SECONDS] [unix:]PATH\n"
"\n"
"A QMP client for scripts: connects to the QMP server listening on the unix\n"
"socket PATH (vl-qmpd, or QEMU), negotiates capabilities, then reads one\n"
"step per line on standard input and answers each with one line on\n"
"standard output, \"ok [VALUE]\" or \"error WHY\":\n"
"\n"
"  COMMAND [NAME=VALUE]...  run a QMP command, qmp-shell's way: VALUE is\n"
"                           JSON (icount=42, enable=[]), or else a string;\n"
"                           its return value becomes the last result\n"
"  wait EVENT               wait for EVENT; one that came since the previous\n"
"                           wait counts, oldest first; its data becomes the\n"
"                           last result\n"
"  get NAME                 \"ok VALUE\": member NAME of the last result\n"
"                           (strings as they are, anything else as JSON)\n"
"\n"
"Empty lines and lines starting with # are skipped.  An error reply is\n"
"\"error DESC\" with the server's words; the next step goes on.  After a\n"
"quit the server accepted, vl-qmp exits.  If the connection ends, the\n"
"steps still get answers (commands an error).\n"
"\n"
"  -v, --verbose          the conversation on standard error: \"-> \" before\n"
"                         each message sent, \"<- \" before each one received\n"
"                         (events as they come)\n"
"  -t, --timeout SECONDS  how long a reply or a wait may take (default 60)\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 at the end of the input or after quit; 1 when the\n"
"connection could not be made, or ended before; 2 bad usage.\n";

struct session {
	struct qmp_client c;
	struct json_object *last;	/* the last result: a return value or an event's data */
	int timeout_ms;
	bool lost;			/* the connection's end was said */
};

/* The conversation on stderr as it goes, as qmp-shell -v shows it. */
static void trace_stderr(struct qmp_client *c, const char *dir,
			 const char *text, size_t len)
{
	(void)c;
	fprintf(stderr, "%s %.*s\n", dir, (int)len, text);
}

static void answer(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stdout per step, flushed: the script is waiting for it. */
static void answer(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void set_last(struct session *s, struct json_object *result)
{
	json_object_put(s->last);
	s->last = result;
}

/*
 * @text as a JSON value if the whole of it is one (a number, true,
 * [1, 2], "quoted"), else as a string: qmp-shell's reading of VALUE.
 */
static struct json_object *parse_value(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *v = NULL;
	size_t len = strlen(text);

	if (!tok)
		return NULL;
	/* With its NUL, so that a number at the end is complete. */
	v = json_tokener_parse_ex(tok, text, len + 1);
	if (v && json_tokener_get_parse_end(tok) != len) {
		json_object_put(v);
		v = NULL;
	}
	json_tokener_free(tok);
	return v ? v : json_object_new_string(text);
}

/*
 * The request of "COMMAND NAME=VALUE...", split at blanks in @line; NULL
 * with the reason in @why when an argument has no "=".
 */
static struct json_object *build_request(char *line, char *why, size_t why_size)
{
	struct json_object *req = json_object_new_object(), *args = NULL;
	char *save, *word = strtok_r(line, " \t", &save);

	json_object_object_add(req, "execute", json_object_new_string(word));
	while ((word = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(word, '=');

		if (!eq || eq == word) {
			snprintf(why, why_size, "argument '%s' is not NAME=VALUE", word);
			json_object_put(req);
			json_object_put(args);
			return NULL;
		}
		*eq = '\0';
		if (!args)
			args = json_object_new_object();
		json_object_object_add(args, word, parse_value(eq + 1));
	}
	if (args)
		json_object_object_add(req, "arguments", args);
	return req;
}

/*
 * A QMP command: "ok", or "error" with the server's desc.  True when it
 * was a quit the server accepted: it closes the connection next.
 */
static bool step_command(struct session *s, char *line)
{
	struct json_object *req, *reply, *ret;
	bool quit = false;
	char why[160];

	req = build_request(line, why, sizeof(why));
	if (!req) {
		answer("error %s", why);
		return false;
	}
	quit = !strcmp(line, "quit");
	reply = qmp_request(&s->c, req);
	if (!reply) {
		answer("error %s", s->c.error);
		return false;
	}
	if (json_object_object_get_ex(reply, "return", &ret)) {
		set_last(s, json_object_get(ret));
		answer("ok");
	} else {
		quit = false;
		answer("error %s", qmp_error_desc(reply) ? qmp_error_desc(reply) :
		       "a reply with neither return nor error");
	}
	json_object_put(reply);
	return quit;
}

/* wait EVENT: "ok" once it came (its data the last result). */
static void step_wait(struct session *s, const char *name)
{
	struct json_object *ev = qmp_wait_event(&s->c, name, s->timeout_ms);
	struct json_object *data;

	if (!ev) {
		answer("error no %s within %d s%s%s", name, s->timeout_ms / 1000,
		       s->c.eof ? ": " : "", s->c.eof ? s->c.error : "");
		return;
	}
	if (json_object_object_get_ex(ev, "data", &data))
		set_last(s, json_object_get(data));
	else
		set_last(s, json_object_new_object());
	json_object_put(ev);
	answer("ok");
}

/* get NAME: a member of the last result. */
static void step_get(struct session *s, const char *name)
{
	struct json_object *v;

	if (!json_object_is_type(s->last, json_type_object) ||
	    !json_object_object_get_ex(s->last, name, &v)) {
		answer("error the last result has no member '%s'", name);
		return;
	}
	if (json_object_is_type(v, json_type_string))
		answer("ok %s", json_object_get_string(v));
	else
		answer("ok %s", json_object_to_json_string_ext(v,
		       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The second word of "wait EVENT" or "get NAME", if it is the only one. */
static const char *sole_operand(char *rest)
{
	char *save, *word = strtok_r(rest, " \t", &save);

	return word && !strtok_r(NULL, " \t", &save) ? word : NULL;
}

/* One step, answered; true after a quit, which ends the session. */
static bool run_step(struct session *s, char *line)
{
	size_t len = strcspn(line, "\r\n");
	const char *operand;

	line[len] = '\0';
	line += strspn(line, " \t");
	if (!*line || *line == '#')
		return false;
	if (!strncmp(line, "wait", 4) && (!line[4] || line[4] == ' ' || line[4] == '\t')) {
		operand = sole_operand(line + 4);
		if (operand)
			step_wait(s, operand);
		else
			answer("error usage: wait EVENT");
	} else if (!strncmp(line, "get", 3) && (!line[3] || line[3] == ' ' || line[3] == '\t')) {
		operand = sole_operand(line + 3);
		if (operand)
			step_get(s, operand);
		else
			answer("error usage: get NAME");
	} else {
		return step_command(s, line);
	}
	return false;
}

/* What came while no step ran: traced as it comes, events kept. */
static void take_unsolicited(struct session *s)
{
	struct json_object *o;

	while ((o = qmp_read(&s->c, 0))) {
		if (qmp_is_event(o))
			qmp_keep_event(&s->c, o);
		else
			json_object_put(o);
	}
}

/* The connection's end, said once; the exit status will say it too. */
static void note_lost(struct session *s)
{
	if (!s->c.eof || s->lost)
		return;
	fprintf(stderr, "vl-qmp: %s\n", s->c.error);
	s->lost = true;
}

/*
 * Steps from stdin until its end, and the server's messages meanwhile.
 * Once the connection is gone, steps are still answered (a wait or get
 * may find what came before), commands with an error.  Standard input is
 * unbuffered, so that poll() sees every line not read yet.  Returns the
 * exit status.
 */
static int serve(struct session *s)
{
	char *line = NULL;
	size_t cap = 0;
	bool quit = false;

	setvbuf(stdin, NULL, _IONBF, 0);
	while (!quit) {
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = s->c.eof ? -1 : s->c.fd, .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("vl-qmp: poll");
			free(line);
			return 1;
		}
		if (pfd[1].revents) {
			take_unsolicited(s);
			note_lost(s);
		}
		if (!pfd[0].revents)
			continue;
		if (getline(&line, &cap, stdin) < 0)
			break;
		quit = run_step(s, line);
		note_lost(s);
	}
	free(line);
	return s->lost && !quit ? 1 : 0;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "vl-qmp: %s\n%s", msg, usage_text);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct session s = { .timeout_ms = DEFAULT_TIMEOUT_S * 1000 };
	const char *path;
	bool verbose = false;
	char *end;
	long secs;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "vt:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 't':
			errno = 0;
			secs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || secs < 1 || secs > 86400)
				return usage_error("--timeout takes 1 to 86400 seconds");
			s.timeout_ms = secs * 1000;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("unknown option");
		}
	}
	if (optind != argc - 1)
		return usage_error("one socket path expected");
	path = argv[optind];
	if (!strncmp(path, "unix:", 5))
		path += 5;
	if (!*path)
		return usage_error("empty socket path");
	if (qmp_connect_once(&s.c, path)) {
		fprintf(stderr, "vl-qmp: cannot connect to %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	s.c.timeout_ms = s.timeout_ms;
	if (verbose)
		s.c.trace = trace_stderr;
	if (qmp_negotiate(&s.c)) {
		fprintf(stderr, "vl-qmp: no QMP server at %s: %s\n", path, s.c.error);
		qmp_close(&s.c);
		return 1;
	}
	status = serve(&s);
	set_last(&s, NULL);
	qmp_close(&s.c);
	return status;
}
