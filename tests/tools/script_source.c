/*
 * script_source NAME: prints the Lua source of one of the daemon's scripts
 * (store/lua/, as embedded), so that integration tests can run it with EVAL
 * against a private redis-server.
 */
#include "scripts.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	for (int i = 0; argc == 2 && i < SCRIPT_COUNT; i++) {
		if (strcmp(argv[1], script_name((enum script_id)i)) == 0) {
			fputs(script_source((enum script_id)i), stdout);
			return 0;
		}
	}
	fprintf(stderr, "usage: script_source NAME (a script of store/lua/)\n");
	return 2;
}
