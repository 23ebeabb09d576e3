#include "cli.h"
#include <stdio.h>
int cmd_generate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("generate: not built yet\n", stderr);
	return EXIT_FAILURE_RUN;
}
