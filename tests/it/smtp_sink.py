#!/usr/bin/python3
"""A real SMTP server (aiosmtpd, Debian's python3-aiosmtpd) for the mailer's integration test.

  smtp_sink.py --dir DIR [--cert PEM --key PEM] [--user U --password P]
      Listens on 127.0.0.1 on a free port and prints "smtp sink listening on 127.0.0.1:PORT".
      With --cert, STARTTLS is offered and required before MAIL; with --user, AUTH is required
      (only over TLS). Each message received is written to DIR as NNNN.eml (the bytes as sent)
      and NNNN.json (the SMTP envelope and the message as Python's email package parses it:
      decoded headers, each leaf part's type, charset and decoded text, any defects found).
  smtp_sink.py --parse FILE
      Prints the same JSON for an .eml file (the mailer's outbox).

Files appear under a temporary name and are renamed, so that the test never reads half of one.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd itself still fills the deprecated Session.login_data.
warnings.filterwarnings("ignore", message="Session.login_data")


def summary(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts, defects = [], [str(d) for d in msg.defects]
    for part in msg.walk():
        defects += [str(d) for d in part.defects]
        if part.is_multipart():
            continue
        parts.append({
            "contentType": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transferEncoding": part.get("Content-Transfer-Encoding", ""),
            "content": part.get_content(),
        })
    return {
        "headers": {k: str(v) for k, v in msg.items()},
        "contentType": msg.get_content_type(),
        "parts": parts,
        "defects": defects,
        "crlfOnly": b"\n" not in raw.replace(b"\r\n", b""),
    }


def write_atomically(path: str, data: bytes) -> None:
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Sink:
    def __init__(self, outdir: str):
        self.outdir = outdir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        s = summary(raw)
        s["envelope"] = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
        }
        base = os.path.join(self.outdir, "%04d" % self.count)
        write_atomically(base + ".eml", raw)
        write_atomically(base + ".json", json.dumps(s, indent=1).encode())
        return "250 OK: queued"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--parse")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    if args.parse:
        with open(args.parse, "rb") as f:
            print(json.dumps(summary(f.read()), indent=1))
        return 0

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    async def serve():
        options = {}
        if args.cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(args.cert, args.key)
            options.update(tls_context=context, require_starttls=True)
        if args.user:
            options.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
        loop = asyncio.get_running_loop()
        handler = Sink(args.dir)
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="sink.test", loop=loop, **options), host="127.0.0.1", port=args.port)
        print("smtp sink listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
