/*
 * vroegsignaal: the command-line tool. Dispatches to a subcommand.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#ifndef VS_VERSION
#error "VS_VERSION comes from CMakeLists.txt"
#endif

static void usage(FILE *f)
{
	fputs("usage: vroegsignaal COMMAND [OPTIONS]\n"
	      "\n"
	      "commands:\n"
	      "  replay    run the rules over a file of registrations (JSON Lines), no Redis\n"
	      "  generate  write a synthetic region's registrations for a school year\n"
	      "  send      validate registrations and add them to the Redis streams\n"
	      "  status    what the partitions' streams hold; wait until the daemon caught up\n"
	      "  census    the pact's quarterly census: thuiszitters, long-sick pupils, reports\n"
	      "  check-config  validate the configuration; list route roles no partner serves\n"
	      "  tasks     list tasks and their deliveries, or show one\n"
	      "  audit     who received what about a pupil key (AVG access requests)\n"
	      "  ack       acknowledge a task for a partner without an integration\n"
	      "  redeliver send a partner's failed deliveries again\n"
	      "  cases     list a partner's cases (open, in progress, closed)\n"
	      "  test-delivery  send a signed test payload to a partner and show the answer\n"
	      "  quarantine  school days the flood guard holds: list, release, discard\n"
	      "  closure   declare a day no school day at a school (strike, snow day), or take it back\n"
	      "  dead      list the dead letters, requeue them once the cause is fixed, or discard them\n"
	      "  erase     erase a pupil key from everything the service keeps (AVG art. 17)\n"
	      "  generation  show the Redis generation marker, or confirm a new one after a\n"
	      "            wiped or rolled-back Redis\n"
	      "  version   print the version\n"
	      "\n"
	      "'vroegsignaal COMMAND --help' describes a command.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(cmd, "generate") == 0)
		return cmd_generate(argc - 1, argv + 1);
	if (strcmp(cmd, "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(cmd, "census") == 0)
		return cmd_census(argc - 1, argv + 1);
	if (strcmp(cmd, "check-config") == 0)
		return cmd_check_config(argc - 1, argv + 1);
	if (strcmp(cmd, "tasks") == 0)
		return cmd_tasks(argc - 1, argv + 1);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	if (strcmp(cmd, "ack") == 0)
		return cmd_ack(argc - 1, argv + 1);
	if (strcmp(cmd, "quarantine") == 0)
		return cmd_quarantine(argc - 1, argv + 1);
	if (strcmp(cmd, "closure") == 0)
		return cmd_closure(argc - 1, argv + 1);
	if (strcmp(cmd, "dead") == 0)
		return cmd_dead(argc - 1, argv + 1);
	if (strcmp(cmd, "redeliver") == 0)
		return cmd_redeliver(argc - 1, argv + 1);
	if (strcmp(cmd, "cases") == 0)
		return cmd_cases(argc - 1, argv + 1);
	if (strcmp(cmd, "test-delivery") == 0)
		return cmd_test_delivery(argc - 1, argv + 1);
	if (strcmp(cmd, "erase") == 0)
		return cmd_erase(argc - 1, argv + 1);
	if (strcmp(cmd, "generation") == 0)
		return cmd_generation(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("vroegsignaal %s\n", VS_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "vroegsignaal: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
