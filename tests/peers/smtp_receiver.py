#!/usr/bin/python3
"""SMTP receiver used as a real peer by the integration tests.

An aiosmtpd Controller on loopback that offers and REQUIRES STARTTLS (any
command other than EHLO/NOOP/STARTTLS/QUIT before it gets "530 Must issue a
STARTTLS command first") and appends one JSON line per accepted message to
--out. Needs Debian's python3-aiosmtpd:
    apt-get install -y python3-aiosmtpd

Usage:
  /usr/bin/python3 tests/peers/smtp_receiver.py --port 0 \
      --port-file W/smtp.port --cert W/server.pem --key W/server.key \
      --out W/smtp.jsonl [--no-tls] [--auth USER:PASS]

Readiness: the port is written to --port-file (atomically, via rename) once
the server accepts connections; "listening on PORT" is also printed to
stderr. --port 0 picks a free loopback port here, because aiosmtpd's
Controller cannot be started on port 0 itself.

Each line holds mail_from, rcpt_tos, subject (decoded), body (the
text/plain part as str, CRLF turned into LF), headers (From, To, Subject,
Content-Type, Message-ID), tls (whether STARTTLS was done in that session),
auth_user (login name, or null), received_at.

--no-tls: plain SMTP, STARTTLS is neither offered nor required (negative
tests). --auth USER:PASS: AUTH PLAIN/LOGIN is required and only that pair is
accepted (after STARTTLS unless --no-tls). SIGTERM/SIGINT stops the
controller and exits 0.
"""

import argparse
import email
import email.policy
import logging
import signal
import socket
import ssl
import sys
import threading
import time
import traceback

from peerlib import JsonlOut, write_atomically

# aiosmtpd 1.4 itself sets the deprecated Session.login_data after AUTH and
# logs a warning about it on every login; drop that line, keep the rest.
logging.getLogger("mail.log").addFilter(
    lambda record: "login_data is deprecated" not in record.getMessage())

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword, TLSSetupException
except ImportError:
    sys.stderr.write("smtp_receiver: aiosmtpd missing; "
                     "apt-get install -y python3-aiosmtpd\n")
    sys.exit(2)

HEADER_NAMES = ("From", "To", "Subject", "Content-Type", "Message-ID")


def free_port(host):
    """Ask the kernel for a currently unused TCP port on host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def text_body(msg):
    """The text/plain part of msg decoded to str, LF line ends ('' if none)."""
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    # SMTP carries CRLF line ends; tests compare with plain "\n".
    return text.replace("\r\n", "\n")


class Recorder:
    """aiosmtpd handler: parse each message and append it as a JSON line."""

    def __init__(self, out):
        self.out = JsonlOut(out)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        headers = {}
        for name in HEADER_NAMES:
            value = msg.get(name)
            headers[name] = None if value is None else str(value)
        # Authenticator below stores the login name as auth_data.
        login = session.auth_data if session.authenticated else None
        if isinstance(login, bytes):
            login = login.decode("utf-8", errors="replace")
        entry = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": headers["Subject"],
            "body": text_body(msg),
            "headers": headers,
            "tls": session.ssl is not None,
            "auth_user": login,
            "received_at": time.time(),
        }
        self.out.append(entry)
        return "250 Message accepted for delivery"

    async def handle_exception(self, error):
        # A client rejecting our certificate (negative tests) is expected:
        # one short line instead of aiosmtpd's default traceback.
        if isinstance(error, TLSSetupException):
            cause = error.__cause__ or error
            sys.stderr.write("smtp_receiver: TLS handshake failed: %s\n"
                             % cause)
            return "421 TLS handshake failed"
        traceback.print_exception(type(error), error, error.__traceback__,
                                  file=sys.stderr)
        return "500 Error: (%s) %s" % (error.__class__.__name__, error)


class Authenticator:
    """Accept exactly one user/password pair (AUTH PLAIN or LOGIN)."""

    def __init__(self, user, password):
        self.user = user.encode("utf-8")
        self.password = password.encode("utf-8")

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == self.user
              and auth_data.password == self.password)
        return AuthResult(success=ok, handled=False,
                          auth_data=auth_data.login if ok else None)


def main():
    p = argparse.ArgumentParser(description="STARTTLS SMTP test receiver")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--out")
    p.add_argument("--no-tls", action="store_true",
                   help="plain SMTP; STARTTLS not offered")
    p.add_argument("--auth", metavar="USER:PASS",
                   help="require AUTH with this user and password")
    p.add_argument("--server-name", default="localhost",
                   help="name in the 220 greeting and EHLO reply")
    args = p.parse_args()

    kwargs = {
        "hostname": args.host,
        "server_hostname": args.server_name,
        # Plenty for tests; the default 300 s would hold a stuck client.
        "timeout": 30,
    }
    if not args.no_tls:
        if not args.cert or not args.key:
            p.error("--cert and --key are required unless --no-tls")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = True
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep:
            p.error("--auth wants USER:PASS")
        kwargs["authenticator"] = Authenticator(user, password)
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = not args.no_tls

    handler = Recorder(args.out)

    # With --port 0 a free port is picked first; if another process grabs
    # it before the controller binds, try again with a fresh one.
    controller = None
    for attempt in range(10):
        port = args.port or free_port(args.host)
        controller = Controller(handler, port=port, **kwargs)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            controller = None
            if args.port or attempt == 9:
                raise
            time.sleep(0.05)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    print("listening on %d" % port, file=sys.stderr, flush=True)

    while not stop.wait(1.0):
        pass
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
