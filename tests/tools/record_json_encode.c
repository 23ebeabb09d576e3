/*
 * record_json_encode: reads a task record's JSON on stdin and writes it with
 * its member names one byte each, as the dispatcher sends it to ACCEPT
 * (store/recordjson.c), so that an integration test can compare it with
 * what the script's own encoding (store/lua/record.lua) stores. Exit 1 when
 * the JSON holds a raw byte below 32 (it is not encoded).
 */
#include "recordjson.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	static char in[1 << 16];
	size_t n = fread(in, 1, sizeof in - 1, stdin);
	in[n] = '\0';
	size_t len = 0;
	char *out = record_json_encode(in, &len);
	if (!out)
		return 1;
	fwrite(out, 1, len, stdout);
	free(out);
	return 0;
}
