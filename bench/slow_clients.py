#!/usr/bin/env python3
"""Slow clients and HTTP/1.1 framing probes against a running server (python3, stdlib only).

    bench/slow_clients.py --port=8080 slowloris [--clients=64] [--path=/api/v1/health]
    bench/slow_clients.py --port=8080 idle      [--clients=64] [--path=/api/v1/health]
    bench/slow_clients.py --port=8080 probes    [--wait=5]
    bench/slow_clients.py --port=8080 all

slowloris: N connections each send a request line and then one header byte every --drip
seconds, never ending the header block. idle: N connections each make one keep-alive request,
read the answer and then say nothing. With them open, a fresh connection times GET --path (and
GET --cheap-path, which touches no database or broker) --tries times; each must be answered
within --deadline seconds (and waits --give-up seconds at most). The slow connections are then
checked: how many the server closed, and after how long.

probes: one raw request per fresh connection, for each RFC 9112 framing rule the issue names.
Each prints what the server did (the status lines of every answer on the connection, whether it
closed it, how long it took) against what it must do. A probe that gets no answer within --wait
seconds says so (today's server waits 60 s for a body that never comes).

Exit status: 0 when every check passed, 1 when one did not, 2 for a usage error.
"""
import argparse
import re
import socket
import sys
import threading
import time

SMUGGLED = b"GET /api/v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


def connect(args):
    s = socket.create_connection((args.host, args.port), timeout=args.wait)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def parse_responses(buf):
    """The (status, headers) of each complete response in buf, by Content-Length framing."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            break
        head = buf[:end].decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3})", head[0])
        if not m:
            break
        headers = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0") or 0)
        if len(buf) < end + 4 + n:
            break
        out.append((int(m.group(1)), headers, buf[end + 4:end + 4 + n]))
        buf = buf[end + 4 + n:]
    return out


def exchange(args, raw, quiet_after=1.0):
    """Sends raw on a fresh connection; reads until the server closes, --wait passes, or the
    connection stays quiet for quiet_after seconds after an answer. Returns (responses, closed,
    first_byte_seconds or None, total_seconds)."""
    s = connect(args)
    t0 = time.monotonic()
    try:
        s.sendall(raw)
    except OSError:
        pass
    buf, closed, first = b"", False, None
    deadline = t0 + args.wait
    while True:
        now = time.monotonic()
        limit = deadline if first is None else min(deadline, last + quiet_after)
        if now >= limit:
            break
        s.settimeout(limit - now)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        if first is None:
            first = time.monotonic() - t0
        last = time.monotonic()
        buf += chunk
    s.close()
    return parse_responses(buf), closed, first, time.monotonic() - t0


def timed_get(args, path):
    t0 = time.monotonic()
    try:
        s = socket.create_connection((args.host, args.port), timeout=args.give_up)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".encode())
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            if parse_responses(buf):
                break
        s.close()
        r = parse_responses(buf)
        return time.monotonic() - t0, (r[0][0] if r else None)
    except OSError as e:
        return time.monotonic() - t0, type(e).__name__


def baseline(args):
    print(f"baseline (no slow clients): ", end="")
    for path in (args.path, args.cheap_path):
        t, status = timed_get(args, path)
        print(f"GET {path} -> {status} in {t * 1000:.0f} ms; ", end="")
    print()


def hold_and_time(args, mode):
    conns, opened_at, first_answers = [], [], []
    for i in range(args.clients):
        try:
            s = socket.create_connection((args.host, args.port), timeout=5)
        except OSError as e:
            print(f"  connection {i} refused: {e}")
            break
        if mode == "slowloris":
            s.sendall(f"GET {args.path} HTTP/1.1\r\nHost: slow\r\nX-Slow: ".encode())
        else:
            s.sendall(f"GET {args.path} HTTP/1.1\r\nHost: idle\r\n\r\n".encode())
            buf, t0 = b"", time.monotonic()
            s.settimeout(args.give_up * 6)
            while not parse_responses(buf):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            first_answers.append(time.monotonic() - t0)
        s.setblocking(False)
        conns.append(s)
        opened_at.append(time.monotonic())
    closed_after = [None] * len(conns)
    stop = threading.Event()

    def drip():  # one header byte per connection every args.drip seconds; notes closes
        while not stop.wait(args.drip):
            for i, s in enumerate(conns):
                if closed_after[i] is not None:
                    continue
                try:
                    if mode == "slowloris":
                        s.send(b"a")
                    if s.recv(65536) == b"":
                        closed_after[i] = time.monotonic() - opened_at[i]
                except BlockingIOError:
                    pass
                except OSError:
                    closed_after[i] = time.monotonic() - opened_at[i]

    th = threading.Thread(target=drip, daemon=True)
    th.start()
    time.sleep(args.settle)
    print(f"{mode}: {len(conns)} connections held; then from a fresh connection:")
    if first_answers:
        print(f"  (their own first requests took {min(first_answers) * 1000:.0f} to {max(first_answers) * 1000:.0f} ms)")
    ok = True
    for _ in range(args.tries):
        for path in (args.path, args.cheap_path):
            t, status = timed_get(args, path)
            good = isinstance(status, int) and t <= args.deadline
            ok = ok and good
            print(f"  GET {path} -> {status} in {t * 1000:.0f} ms ({'ok' if good else 'FAIL'}: goal <= {args.deadline:.0f} s)")
        time.sleep(0.5)
    time.sleep(args.hold)
    stop.set()
    th.join()
    shut = [c for c in closed_after if c is not None]
    print(f"  after {time.monotonic() - opened_at[0]:.0f} s: server closed {len(shut)} of {len(conns)}"
          + (f" (after {min(shut):.1f} to {max(shut):.1f} s)" if shut else ""))
    for s in conns:
        s.close()
    return ok


def probes():
    """(name, raw request, rule): rule(responses, closed, first_byte) -> True when right."""
    def once(status_ok):  # one answer, in time, whose status satisfies status_ok, and closed
        return lambda rs, closed, first: len(rs) == 1 and status_ok(rs[0][0]) and closed

    def prompt(status_ok):  # answered at once (connection may stay open)
        return lambda rs, closed, first: len(rs) >= 1 and status_ok(rs[0][0]) and first is not None and first < 1.0

    bad400 = once(lambda s: s == 400)
    not500 = lambda rs, closed, first: len(rs) >= 1 and 400 <= rs[0][0] < 500
    is404 = lambda rs, closed, first: len(rs) >= 1 and rs[0][0] == 404
    h = "Host: probe\r\n"
    body = b'{"email":"a@b.c","password":"x"}'
    return [
        ("POST, no body, no Content-Length: zero-length body, answered at once",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}\r\n".encode(), prompt(lambda s: 400 <= s < 500)),
        ("PATCH, no body, no Content-Length: answered at once",
         f"PATCH /api/v1/users/me HTTP/1.1\r\n{h}\r\n".encode(), prompt(lambda s: 400 <= s < 500)),
        ("404 with an unread body: one answer, closed (body not parsed as a request)",
         f"POST /api/v1/nope HTTP/1.1\r\n{h}Content-Length: {len(SMUGGLED)}\r\n\r\n".encode() + SMUGGLED,
         once(lambda s: s == 404)),
        ("405 with an unread body: one answer, closed",
         f"PUT /api/v1/health HTTP/1.1\r\n{h}Content-Length: {len(SMUGGLED)}\r\n\r\n".encode() + SMUGGLED,
         once(lambda s: s == 405)),
        ("413 (Content-Length over the limit, body not sent): one answer, closed",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\n"
         f"Content-Length: 10000000\r\n\r\n".encode() + SMUGGLED, once(lambda s: s == 413)),
        ("CORS preflight with a body: one answer, closed",
         f"OPTIONS /api/v1/users/me HTTP/1.1\r\n{h}Origin: https://x.example\r\nAccess-Control-Request-Method: POST\r\n"
         f"Content-Length: {len(SMUGGLED)}\r\n\r\n".encode() + SMUGGLED, once(lambda s: s == 204)),
        ("0xFF in a header value -> 400, close",
         f"GET /api/v1/health HTTP/1.1\r\n{h}".encode() + b"X-A: a\xffb\r\n\r\n", bad400),
        ("control char (0x01) in a header value -> 400, close",
         f"GET /api/v1/health HTTP/1.1\r\n{h}".encode() + b"X-A: a\x01b\r\n\r\n", bad400),
        ("NUL in a header value -> 400, close",
         f"GET /api/v1/health HTTP/1.1\r\n{h}".encode() + b"X-A: a\x00b\r\n\r\n", bad400),
        ("obs-fold (continuation line) -> 400, close",
         f"GET /api/v1/health HTTP/1.1\r\n{h}X-A: a\r\n b\r\n\r\n".encode(), bad400),
        ("space before the colon -> 400, close",
         f"GET /api/v1/health HTTP/1.1\r\n{h}X-A : a\r\n\r\n".encode(), bad400),
        ("duplicate Content-Length, same value -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\n"
         f"Content-Length: {len(body)}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body, bad400),
        ("duplicate Content-Length, different values -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\n"
         f"Content-Length: {len(body)}\r\nContent-Length: 5\r\n\r\n".encode() + body, bad400),
        ("Content-Length: +N -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\n"
         f"Content-Length: +{len(body)}\r\n\r\n".encode() + body, bad400),
        ("Content-Length: -1 -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n".encode(),
         bad400),
        ("Content-Length: 0x20 -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\nContent-Length: 0x20\r\n\r\n".encode()
         + body, bad400),
        ("Content-Length: N,N (list) -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\n"
         f"Content-Length: {len(body)}, {len(body)}\r\n\r\n".encode() + body, bad400),
        ("Transfer-Encoding: gzip -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n"
         f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n", bad400),
        ("Transfer-Encoding: gzip, chunked -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\n"
         f"Transfer-Encoding: gzip, chunked\r\n\r\n{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n", bad400),
        ("Transfer-Encoding: identity -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\nTransfer-Encoding: identity\r\n"
         f"Content-Length: {len(body)}\r\n\r\n".encode() + body, bad400),
        ("Content-Length and Transfer-Encoding: chunked together -> 400, close",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\nContent-Length: 4\r\n"
         f"Transfer-Encoding: chunked\r\n\r\n{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n", bad400),
        ("Transfer-Encoding: chunked (valid) is accepted",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
         f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n", prompt(lambda s: s in (401, 422, 400, 429))),
        ("non-UTF-8 byte in the path -> 4xx, not 500",
         b"GET /api/v1/\xff\xfe HTTP/1.1\r\n" + h.encode() + b"\r\n", not500),
        ("non-UTF-8 byte in an echoed Content-Type (415) -> 4xx, not 500",
         f"POST /api/v1/auth/login HTTP/1.1\r\n{h}Content-Length: {len(body)}\r\n".encode()
         + b"Content-Type: text/\xe9\r\n\r\n" + body, not500),
        ("non-UTF-8 byte in the method (405 echoes it) -> 4xx, not 500",
         b"G\xe9T /api/v1/health HTTP/1.1\r\n" + h.encode() + b"\r\n", not500),
        ("GET //metrics -> 404", f"GET //metrics HTTP/1.1\r\n{h}\r\n".encode(), is404),
        ("GET /metrics/ -> 404", f"GET /metrics/ HTTP/1.1\r\n{h}\r\n".encode(), is404),
        ("GET /api/v1//health -> 404", f"GET /api/v1//health HTTP/1.1\r\n{h}\r\n".encode(), is404),
        ("HTTP/1.1 without Host -> 400", b"GET /api/v1/health HTTP/1.1\r\n\r\n", bad400),
        ("bare LF line endings -> 400 (or a proper answer), never a hang",
         b"GET /api/v1/health HTTP/1.1\nHost: probe\n\n", lambda rs, closed, first: len(rs) >= 1),
    ]


def run_probes(args):
    ok = True
    for name, raw, rule in probes():
        rs, closed, first, total = exchange(args, raw)
        good = rule(rs, closed, first)
        ok = ok and good
        got = ", ".join(str(r[0]) for r in rs) or "no answer"
        when = f"{first * 1000:.0f} ms" if first is not None else f"none in {args.wait:.0f} s"
        print(f"  {'ok  ' if good else 'FAIL'} {name}\n       got: [{got}] first byte {when}, "
              f"{'closed' if closed else 'left open'}")
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["slowloris", "idle", "probes", "all"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--path", default="/api/v1/health")
    p.add_argument("--cheap-path", default="/api/v1/openapi.json")
    p.add_argument("--deadline", type=float, default=2.0, help="goal for the fresh GET, seconds")
    p.add_argument("--give-up", type=float, default=10.0, help="seconds the fresh GET waits at most")
    p.add_argument("--drip", type=float, default=1.0, help="seconds between a slowloris client's bytes")
    p.add_argument("--settle", type=float, default=2.0, help="seconds between opening the clients and timing")
    p.add_argument("--hold", type=float, default=3.0, help="seconds the clients stay after the timing")
    p.add_argument("--tries", type=int, default=3)
    p.add_argument("--wait", type=float, default=5.0, help="seconds a probe waits for an answer")
    args = p.parse_args()
    ok = True
    if args.mode in ("slowloris", "idle", "all"):
        baseline(args)
    if args.mode in ("slowloris", "all"):
        ok = hold_and_time(args, "slowloris") and ok
    if args.mode in ("idle", "all"):
        ok = hold_and_time(args, "idle") and ok
    if args.mode in ("probes", "all"):
        print("framing probes (one fresh connection each):")
        ok = run_probes(args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
