/*
 * file: one JSON line per delivery, appended and fdatasync'd before it
 * counts as delivered (for the demo and for audits). Synchronous: the
 * write is small and local.
 */
#include "connector.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int file_send(struct connector_env *env, struct delivery *dl)
{
	(void)env;
	int fd = open(((const struct file_settings *)dl->cc->settings)->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		dl->outcome = DL_RETRY;
		snprintf(dl->detail, sizeof dl->detail, "cannot open the file: %s", strerror(errno));
		return CONNECTOR_DONE;
	}
	size_t len = dl->body_len + 1;
	char *line = xmalloc(len);
	memcpy(line, dl->body, dl->body_len);
	line[dl->body_len] = '\n';
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(line);
	int err = off < len ? errno : 0;
	if (!err && fdatasync(fd) != 0)
		err = errno;
	close(fd);
	if (err) {
		dl->outcome = DL_RETRY;
		snprintf(dl->detail, sizeof dl->detail, "cannot write the file: %s", strerror(err));
	} else {
		dl->outcome = DL_DELIVERED;
		str_copy(dl->detail, "written", sizeof dl->detail);
	}
	return CONNECTOR_DONE;
}

/* Written at once: held only for the result to be recorded. */
static int file_hold_ms(const struct connector_env *env, const struct connector_cfg *cc)
{
	(void)env, (void)cc;
	return 10000;
}

static void *file_parse(struct jconf *jc, json_t *o, const char *at)
{
	static const char *const keys[] = {"type", "path", NULL};
	char path[200];
	struct file_settings *fs = xcalloc(1, sizeof *fs);
	jconf_only_keys(jc, o, at, keys);
	fs->path = conf_string(jc, o, at, "path");
	if (!fs->path || fs->path[0] != '/')
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "path"),
			    "expected an absolute file path");
	return fs;
}

static void file_free(void *settings)
{
	struct file_settings *fs = settings;
	free(fs->path);
	free(fs);
}

const struct connector_ops connector_file = {"file", file_parse, file_free, file_send,
					     file_hold_ms, NULL};
