"""What the test peers share: writing the port file and the JSON Lines
record of what they received (each line flushed and fsync'd, so a test that
got an answer can read the record at once)."""

import json
import os
import threading


def write_atomically(path, text):
    """Write text to path via a temporary file and rename."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class JsonlOut:
    """Appends one JSON object per line to a file (or nothing without one),
    from any thread."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def append(self, entry):
        if not self.path:
            return
        line = json.dumps(entry, sort_keys=True) + "\n"
        with self.lock:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())
