/*
 * cli: the subcommands of `vroegsignaal`. Each takes its argv (argv[0] is
 * the subcommand's name) and returns the process exit code.
 */
#ifndef VS_CLI_H
#define VS_CLI_H

/* Exit codes shared by every subcommand. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_RUN = 1, /* usage, configuration or I/O error */
	EXIT_INVALID = 2,     /* invalid input: a registration (replay --strict, send) */
	EXIT_USAGE = 2,       /* an invalid option, value or argument: a message says which */
};

int cmd_replay(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_census(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
int cmd_closure(int argc, char **argv);
int cmd_dead(int argc, char **argv);
int cmd_redeliver(int argc, char **argv);
int cmd_test_delivery(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_erase(int argc, char **argv);
int cmd_generation(int argc, char **argv);

#endif
