#!/usr/bin/env python3
"""The PROTOS c07-sip cases too large for one UDP datagram, sent over TCP.

usage: protos_tcp.py CASES_DIR PORT WORKDIR

Over UDP the replay cannot send them (EMSGSIZE), so they reach a SIP stack only on a stream. Each
is rendered by the suite's own protos_sip.py (`render`), sent on a fresh TCP connection, and the
outcome recorded: the status line of a response, or "closed" when telephonyd drops the connection
(its message size limit). Prints a JSON summary; exits non-zero when a case was left hanging (no
response and the connection still open after the wait)."""
import json
import os
import socket
import subprocess
import sys
import time

UDP_MAX = 65507


def outcome(data, port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(3)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return "closed"  # closed while we were still writing: the size limit
        buf = b""
        end = time.time() + 3
        while time.time() < end:
            try:
                d = s.recv(65536)
            except ConnectionResetError:
                return "closed"
            except socket.timeout:
                break
            if not d:
                return "closed"
            buf += d
            first = buf.split(b"\r\n", 1)[0]
            if b"\r\n" in buf and not first.startswith(b"SIP/2.0 100"):
                return first.decode("latin1")[:40]
            if first.startswith(b"SIP/2.0 100") and b"\r\n\r\n" in buf:
                buf = buf.split(b"\r\n\r\n", 1)[1]
        return "hanging"
    finally:
        s.close()


def main():
    cases, port, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sip-torture", "protos",
                          "protos_sip.py")
    env = dict(os.environ, PROTOS_CASES=cases)
    # The case files hold the templates at about their rendered size; render only the big ones.
    big = sorted(int(n) for n in os.listdir(cases) if n.isdigit() and os.path.getsize(os.path.join(cases, n)) > 60000)
    results, sizes = {}, []
    for n in big:
        subprocess.run([sys.executable, script, "render", str(n), "--out", work, "--port", str(port)], env=env,
                       check=True)
        for kind in ("invite", "teardown"):  # the UDP replay counts both messages of a case
            path = os.path.join(work, "%07d.%s" % (n, kind))
            with open(path, "rb") as f:
                data = f.read()
            os.unlink(path)
            if len(data) <= UDP_MAX:
                continue
            sizes.append(len(data))
            r = outcome(data, port)
            results[r] = results.get(r, 0) + 1
    summary = {"oversized_messages": len(sizes), "largest": max(sizes, default=0), "outcomes": results}
    print(json.dumps(summary))
    return 1 if results.get("hanging") or not sizes else 0


sys.exit(main())
