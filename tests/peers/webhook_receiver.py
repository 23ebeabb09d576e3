#!/usr/bin/python3
"""HTTPS webhook receiver used as a real peer by the integration tests.

It accepts POST requests on any path, checks the HMAC signature header and
appends one JSON line per POST to --out, so a bash test can assert on what
the daemon delivered. Standard library only (Debian's /usr/bin/python3).

Usage:
  /usr/bin/python3 tests/peers/webhook_receiver.py --port 0 \
      --port-file W/webhook.port --cert W/server.pem --key W/server.key \
      --secret-file W/secret --out W/webhook.jsonl \
      [--down-file W/down] [--reject-file W/reject] [--delay-ms 0]

Readiness: the bound port is written to --port-file (atomically, via rename)
once the socket listens; "listening on PORT" is also printed to stderr.

Per POST it records path, idempotency_key, timestamp, signature,
signature_ok, status, content_type, body, received_at. The answer is, in
order of precedence: 503 + "Retry-After: 1" while --down-file exists, 400
while --reject-file exists, 401 when the signature is wrong, else 200
{"ok":true}. The signature is "sha256=" + hex(HMAC-SHA256(secret,
timestamp + "." + raw_body)). Without --secret-file signatures are not
checked (signature_ok is null). GET /health answers 200. SIGTERM (or SIGINT)
shuts the server down and exits 0.
"""

import argparse
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import traceback

from peerlib import JsonlOut, write_atomically


class Config:
    """Settings shared by all request handler threads."""

    def __init__(self, args):
        self.secret = None
        if args.secret_file:
            with open(args.secret_file, "rb") as f:
                self.secret = f.read().rstrip(b"\r\n")
        self.out = JsonlOut(args.out)
        self.down_file = args.down_file
        self.reject_file = args.reject_file
        self.delay = max(0, args.delay_ms) / 1000.0

    def record(self, entry):
        """Append one JSON line to the out file and flush it to disk."""
        self.out.append(entry)


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so clients may keep connections alive; every answer carries
    # a Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "vs-webhook-peer/1"
    timeout = 30

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        # Quiet: no per-request logging.
        pass

    def send_json(self, status, obj, extra_headers=()):
        data = json.dumps(obj, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def read_body(self):
        """Read the request body (Content-Length or chunked)."""
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                if not size_line:
                    break
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # Skip trailers up to the empty line.
                    while True:
                        line = self.rfile.readline(65537)
                        if not line or line in (b"\r\n", b"\n"):
                            break
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)  # CRLF after the chunk
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def check_signature(self, timestamp, signature, raw):
        cfg = self.server.cfg
        if cfg.secret is None:
            return None
        if timestamp is None or signature is None:
            return False
        mac = hmac.new(cfg.secret,
                       timestamp.encode("latin-1") + b"." + raw,
                       hashlib.sha256).hexdigest()
        expected = ("sha256=" + mac).encode("ascii")
        # Header values are decoded as latin-1 by http.client, so this
        # round-trips any byte the client sent.
        return hmac.compare_digest(expected, signature.encode("latin-1"))

    def do_POST(self):
        cfg = self.server.cfg
        raw = self.read_body()
        timestamp = self.headers.get("X-Vroegsignaal-Timestamp")
        signature = self.headers.get("X-Vroegsignaal-Signature")
        sig_ok = self.check_signature(timestamp, signature, raw)

        text = raw.decode("utf-8", errors="replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = text

        if cfg.delay:
            time.sleep(cfg.delay)

        extra = ()
        if cfg.down_file and os.path.exists(cfg.down_file):
            status, reply = 503, {"ok": False, "error": "down"}
            extra = (("Retry-After", "1"),)
        elif cfg.reject_file and os.path.exists(cfg.reject_file):
            status, reply = 400, {"ok": False, "error": "rejected"}
        elif sig_ok is False:
            status, reply = 401, {"ok": False, "error": "bad signature"}
        else:
            status, reply = 200, {"ok": True}

        # Record before answering, so the line is on disk by the time the
        # client sees the response.
        cfg.record({
            "path": self.path,
            "idempotency_key": self.headers.get("Idempotency-Key"),
            "timestamp": timestamp,
            "signature": signature,
            "signature_ok": sig_ok,
            "status": status,
            "content_type": self.headers.get("Content-Type"),
            "body": body,
            "received_at": time.time(),
        })
        self.send_json(status, reply, extra)

    def do_GET(self):
        if self.path.split("?", 1)[0] == "/health":
            self.send_json(200, {"ok": True})
        else:
            self.send_json(404, {"ok": False, "error": "not found"})

    do_HEAD = do_GET


class TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, ssl_context, cfg):
        super().__init__(addr, handler)
        self.ssl_context = ssl_context
        self.cfg = cfg

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the per-connection thread, so a
        # client that fails verification cannot stall the accept loop.
        request.settimeout(30)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                # Best-effort close_notify; never wait long for the peer's.
                tls.settimeout(1)
                tls.unwrap()
            except (ssl.SSLError, OSError, ValueError):
                pass
            tls.close()

    def handle_error(self, request, client_address):
        # Connection resets and TLS errors are expected in failure tests;
        # print anything else (a bug in this peer) to stderr.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout)):
            return
        traceback.print_exc(file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description="HTTPS webhook test receiver")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--secret-file")
    p.add_argument("--out")
    p.add_argument("--down-file")
    p.add_argument("--reject-file")
    p.add_argument("--delay-ms", type=int, default=0)
    args = p.parse_args()

    cfg = Config(args)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)

    server = TLSServer((args.host, args.port), Handler, ctx, cfg)
    port = server.server_address[1]

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    print("listening on %d" % port, file=sys.stderr, flush=True)

    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
