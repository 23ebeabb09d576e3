#!/usr/bin/env python3
"""Splits an AOF file (RESP commands) by command name and reports bytes per
registration: aof_mix.py FILE REGISTRATIONS. Writes to the state hash, the
tasks stream, the task-id hashes and the day hashes are shown apart."""
import collections
import sys


def main():
    data = open(sys.argv[1], 'rb').read()
    regs = int(sys.argv[2])
    size = collections.Counter()
    count = collections.Counter()
    i = 0
    while i < len(data):
        start = i
        if data[i:i + 1] != b'*':
            sys.exit('not a RESP command at byte %d' % i)
        j = data.index(b'\r\n', i)
        argc = int(data[i + 1:j])
        i = j + 2
        args = []
        for _ in range(argc):
            j = data.index(b'\r\n', i)
            n = int(data[i + 1:j])
            i = j + 2
            args.append(data[i:i + n])
            i += n + 2
        name = args[0].upper().decode()
        if len(args) > 1:
            key = args[1].decode(errors='replace')
            for part, label in ((':daily:', 'daily:<date>'), (':taskids', 'taskids')):
                if part in key:
                    name += ' ' + label
            for tail in (':state', ':tasks', ':events', ':offset'):
                if key.endswith(tail):
                    name += ' ' + tail[1:]
        size[name] += i - start
        count[name] += 1
    print('%-28s %9s %12s %10s' % ('command', 'commands', 'bytes', 'B/reg'))
    for name, b in size.most_common():
        print('%-28s %9d %12d %10.1f' % (name, count[name], b, b / regs))
    print('%-28s %9d %12d %10.1f' % ('total', sum(count.values()), sum(size.values()),
                                     sum(size.values()) / regs))


main()
