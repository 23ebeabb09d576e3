/*
 * opsdata_types: the snapshot opsdata.c keeps in struct vsd (see opsdata.h).
 */
#ifndef VS_OPSDATA_TYPES_H
#define VS_OPSDATA_TYPES_H

#include <stdbool.h>
#include <stdint.h>

struct ops_snapshot {
	int64_t at_ms;               /* 0: none yet */
	int npartners;
	char (*partner)[64];
	long long *open, *overdue;   /* per partner, over all partitions; -1 unknown */
	long long *cases;            /* per partner: cases open or in progress; -1 unknown */
	long long *case_states;      /* per partner 3: open (not overdue), overdue, in progress; -1 unknown */
	long long *undeliverable;    /* per partner: assignments undeliverable in Redis; -1 unknown */
	long long dead;              /* dead letters, all partitions; -1 unknown */
	char **quarantined;          /* "<school>|<date>" */
	int nquarantined;
	long long held;              /* tasks held in quarantine; -1 unknown */
	int closures;                /* closures applied to the calendar */
	int errors;                  /* error replies in the round (their values are unknown) */
};

/* What the operations poll remembers between rounds (opsdata.c). */
struct ops_memory {
	bool polling;            /* a round is under way */
	int64_t error_logged_ms; /* log_due */
	char **logged;           /* quarantined school days already logged */
	int nlogged;
	char **applied;          /* closures applied, "<school>|<date>" */
	int napplied;
};

#endif
