/* confcheck: see confcheck.h. */
#include "confcheck.h"

#include "partner_routing.h"
#include "signing.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

void confcheck_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int strv_add(char ***v, char *s)
{
	size_t n = 0;
	while (*v && (*v)[n])
		n++;
	for (size_t i = 0; i < n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return 0;
		}
	*v = xrealloc(*v, (n + 2) * sizeof **v);
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
	return 1;
}

/* A calendar's file name as the loader opens it. */
static char *calendar_full(const char *path, const char *name)
{
	if (name[0] == '/')
		return xstrdup(name);
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(name);
	size_t dl = (size_t)(slash - path);
	size_t n = dl + strlen(name) + 2;
	char *full = xmalloc(n);
	snprintf(full, n, "%.*s/%s", (int)dl, path, name);
	return full;
}

/* Every string value under a key ending in "_file", anywhere in j. */
static int add_file_keys(json_t *j, char ***files)
{
	int n = 0;
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v) {
			size_t kl = strlen(k);
			if (json_is_string(v) && kl > 5 && strcmp(k + kl - 5, "_file") == 0)
				n += strv_add(files, xstrdup(json_string_value(v)));
			else
				n += add_file_keys(v, files);
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			n += add_file_keys(v, files);
	}
	return n;
}

/* Calls fn with each calendar of the document (a loaded file or the
 * inline object). */
typedef void (*calendar_fn)(json_t *cal, void *arg);

static void each_calendar(const char *path, json_t *root, char ***files, calendar_fn fn, void *arg)
{
	json_t *list = json_object_get(root, "calendars");
	json_t *one = json_object_get(root, "calendar");
	size_t n = json_is_array(list) ? json_array_size(list) : one ? 1 : 0;
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_is_array(list) ? json_array_get(list, i) : one;
		if (!json_is_string(c)) {
			if (fn)
				fn(c, arg);
			continue;
		}
		char *full = calendar_full(path, json_string_value(c));
		if (fn) {
			json_t *cal = json_load_file(full, 0, NULL);
			if (cal)
				fn(cal, arg);
			json_decref(cal);
		}
		if (files)
			strv_add(files, full);
		else
			free(full);
	}
}

static void calendar_files(json_t *cal, void *arg)
{
	add_file_keys(cal, arg);
}

int confcheck_files(const char *path, char ***files)
{
	int before = 0;
	while (*files && (*files)[before])
		before++;
	strv_add(files, xstrdup(path));
	json_t *root = json_load_file(path, 0, NULL);
	if (root) {
		each_calendar(path, root, files, calendar_files, files);
		json_object_del(root, "calendars");
		json_object_del(root, "calendar");
		/* the id secret resolves against the file's directory too */
		json_t *ids = json_object_get(json_object_get(root, "ids"), "secret_file");
		if (json_is_string(ids))
			strv_add(files, calendar_full(path, json_string_value(ids)));
		json_object_del(root, "ids");
		add_file_keys(root, files);
	}
	json_decref(root);
	int after = 0;
	while (*files && (*files)[after])
		after++;
	return after - before;
}

static void calendar_schools(json_t *cal, void *arg)
{
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(cal, "schools"), k, v) {
		(void)v;
		strv_add(arg, xstrdup(k));
	}
}

int confcheck_calendar_schools(const char *path, char ***schools)
{
	json_t *root = json_load_file(path, 0, NULL);
	if (root)
		each_calendar(path, root, NULL, calendar_schools, schools);
	json_decref(root);
	int n = 0;
	while (*schools && (*schools)[n])
		n++;
	return n;
}

static int open_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int confcheck_readable_as(const char *path, const char *user, char *why, size_t cap)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(why, cap, "--as-user %s: no such user", user);
		return -1;
	}
	if (geteuid() == pw->pw_uid)
		return open_read(path);
	if (geteuid() != 0) {
		snprintf(why, cap, "--as-user %s: run this as root or as %s to check what the user can "
				   "read",
			 user, user);
		return -1;
	}
	/* A child takes on the user's identity and tries to open the file:
	 * the kernel's own answer (modes, ACLs, directories on the way). */
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, cap, "--as-user %s: fork: %s", user, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (initgroups(user, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
			_exit(3);
		_exit(open_read(path) ? 0 : errno == ENOENT ? 2 : 1);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			snprintf(why, cap, "--as-user %s: waitpid: %s", user, strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 3) {
		snprintf(why, cap, "--as-user %s: could not take on the user's identity", user);
		return -1;
	}
	if (WEXITSTATUS(st) == 0)
		return 1;
	errno = WEXITSTATUS(st) == 2 ? ENOENT : EACCES;
	return 0;
}

int confcheck_run(const char *path, const struct vsd_config *cfg, const char *as_user, char **out)
{
	*out = NULL;
	size_t len = 0;
	char **schools = NULL;
	int ns = confcheck_calendar_schools(path, &schools);
	char *lines = NULL;
	int n = partners_check(cfg->partners, (const char *const *)schools, ns, &lines);
	confcheck_strv_free(schools);
	if (lines)
		str_append(out, &len, lines, strlen(lines));
	free(lines);
	/* the daemon does not start without the region's id secret */
	char ids_why[600];
	char *secret = ids_secret_read(cfg->base.ids_secret_file, ids_why, sizeof ids_why);
	if (secret) {
		ids_secret_free(secret);
	} else {
		str_appendf(out, &len, "%s\n", ids_why);
		n++;
	}
	if (!as_user)
		return n;
	char **files = NULL;
	confcheck_files(path, &files);
	for (size_t i = 0; files && files[i]; i++) {
		char why[300];
		int r = confcheck_readable_as(files[i], as_user, why, sizeof why);
		if (r < 0) {
			str_appendf(out, &len, "%s\n", why);
			confcheck_strv_free(files);
			return -1;
		}
		if (r == 0) {
			str_appendf(out, &len, "the service user %s cannot read %s (%s)\n", as_user,
				    files[i], strerror(errno));
			n++;
		}
	}
	confcheck_strv_free(files);
	return n;
}
