/*
 * opsdata_types: the snapshot opsdata.c keeps in struct vsd (see opsdata.h).
 */
#ifndef VS_OPSDATA_TYPES_H
#define VS_OPSDATA_TYPES_H

#include <stdint.h>

struct ops_snapshot {
	int64_t at_ms;               /* 0: none yet */
	int npartners;
	char (*partner)[64];
	long long *open, *overdue;   /* per partner, over all partitions */
	long long dead;              /* dead letters, all partitions */
	char **quarantined;          /* "<school>|<date>" */
	int nquarantined;
	long long held;              /* tasks held in quarantine */
	int closures;                /* closures applied to the calendar */
};

#endif
