/*
 * replay_main: runs a fuzz target's LLVMFuzzerTestOneInput over files and
 * directories of inputs, without libFuzzer. The ordinary test builds (gcc,
 * plain, valgrind, ASan/UBSan) link each target with it and replay
 * fuzz/corpus/<target>/, so a crash once found stays a test everywhere.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		return -1;
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int files = 0;
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(sb.st_mode)) {
			if (run_file(argv[i]) != 0)
				return 1;
			files++;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		if (!dir) {
			perror(argv[i]);
			return 1;
		}
		char **names = NULL;
		size_t nnames = 0;
		struct dirent *de;
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			names = realloc(names, (nnames + 1) * sizeof *names);
			size_t len = strlen(argv[i]) + strlen(de->d_name) + 2;
			names[nnames] = malloc(len);
			snprintf(names[nnames++], len, "%s/%s", argv[i], de->d_name);
		}
		closedir(dir);
		qsort(names, nnames, sizeof *names, cmp_names);
		for (size_t k = 0; k < nnames; k++) {
			if (run_file(names[k]) != 0)
				return 1;
			free(names[k]);
			files++;
		}
		free(names);
	}
	printf("replayed %d input(s)\n", files);
	return files > 0 ? 0 : 1;
}
