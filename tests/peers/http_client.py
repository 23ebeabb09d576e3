"""A raw HTTP client for the daemon's HTTP tests, for what curl will not send.

  http_client.py raw PORT [--source ADDR] < request
      Sends the request bytes as they are (NUL bytes, repeated headers),
      reads the answer until the server closes or 3 s pass, and prints
      "STATUS BODY_BYTES CONTENT_LENGTH" (the bytes after the header block;
      CONTENT_LENGTH is "-" without the header). Status 0: no answer.

  http_client.py slow PORT COUNT SECONDS OUT
      Opens COUNT connections that each send the start of a request and then
      one more header line a second, never finishing it, for SECONDS. Writes
      OUT.started once every connection was attempted, and at the end OUT
      with "opened N closed_by_server M" (M: connections the server closed
      or reset while they dripped).
"""

import errno
import select
import socket
import sys
import time


def raw(port, source):
    request = sys.stdin.buffer.read()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if source:
        s.bind((source, 0))
    s.settimeout(3)
    s.connect(("127.0.0.1", port))
    s.sendall(request)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        print("0 0 -")
        return
    lines = head.split(b"\r\n")
    status = lines[0].split(b" ")[1].decode()
    length = "-"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = value.strip().decode()
    print(status, len(body), length)


def slow(port, count, seconds, out):
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            continue
        socks.append({"sock": s, "sent": False, "open": True})
    with open(out + ".started", "w", encoding="utf-8") as f:
        f.write("%d\n" % len(socks))
    closed = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for c in socks:
            if not c["open"]:
                continue
            s = c["sock"]
            line = b"X-Slow: 1\r\n" if c["sent"] else b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
            try:
                s.send(line)
                c["sent"] = True
            except BlockingIOError:
                pass  # not connected yet (still in the listen queue)
            except OSError:
                c["open"] = False
                closed += 1
                s.close()
                continue
            try:
                r, _, _ = select.select([s], [], [], 0)
                if r and not s.recv(4096):
                    raise ConnectionResetError()
            except BlockingIOError:
                pass
            except OSError:
                c["open"] = False
                closed += 1
                s.close()
        time.sleep(1)
    for c in socks:
        if c["open"]:
            c["sock"].close()
    with open(out, "w", encoding="utf-8") as f:
        f.write("opened %d closed_by_server %d\n" % (len(socks), closed))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "raw":
        source = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--source" else None
        raw(int(sys.argv[2]), source)
    elif len(sys.argv) == 6 and sys.argv[1] == "slow":
        slow(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
