#!/usr/bin/env python3
"""Raw SIP probe for the integration tests: sends one message (an OPTIONS, or the bytes of a
file with its addresses rewritten) over UDP, TCP or TLS and prints the status line of the first
response, or "NO RESPONSE" after the timeout.

  sip_probe.py options HOST PORT [--transport udp|tcp|tls] [--timeout S]
  sip_probe.py send FILE HOST PORT [--transport ...] [--unique-branch]
      # a torture message; --unique-branch makes RFC 3261 branches unique, since the RFC 4475
      # messages reuse branch values and a correct stack absorbs a repeat as a retransmission
  sip_probe.py freeport [udp|tcp|baresip] [--host H]       # a free port number (baresip: UDP+TCP p, TCP p+1)
"""
import argparse
import random
import re
import socket
import ssl
import sys


# The tests' RTP ranges (rtp.conf rtpstart) are drawn from 20000-40099 and are bound by a daemon
# only as its calls come up: a port picked here inside that span could be taken by a parallel
# test's call before this test binds it (SIPp: "Unable to bind main socket, errno = 98").
RTP_RANGES = range(20000, 40100)


def freeport(kind, host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(200):
        s = socket.socket(family, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
        s.bind((host, 0))
        port = s.getsockname()[1]
        s.close()
        if port not in RTP_RANGES:
            return port
    raise RuntimeError("no free port outside the tests' RTP ranges")


def rtp_block():
    """(first port, open lock file) of a block of 100 ports in the span that no other test on
    this machine holds (as lib.sh rtp_block: flock on the same files); keep the file open while
    the block is in use."""
    import fcntl
    import os
    lock_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "telephony-tests-rtp")
    os.makedirs(lock_dir, exist_ok=True)
    for _ in range(400):
        start = random.randrange(20000, 40000, 100)
        f = open(os.path.join(lock_dir, "%d.lock" % start), "a")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return start, f
        except OSError:
            f.close()
    raise RuntimeError("no block of RTP ports free of other tests' locks in " + lock_dir)


def bindable(kind, host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
    try:
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def freeport_baresip(host="127.0.0.1"):
    """A port for baresip's sip_listen: baresip binds UDP and TCP on it and TLS (TCP) on the next
    one, so all three must be free (a plain free UDP port collided with a parallel test's TCP)."""
    for _ in range(200):
        port = freeport("udp", host)
        if port < 65535 and bindable("tcp", host, port) and bindable("tcp", host, port + 1):
            return port
    raise RuntimeError("no free port pair for baresip")


def exchange(data, host, port, transport, timeout):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if transport == "udp":
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((host, 0))
        s.settimeout(timeout)
        s.sendto(data, (host, port))
        try:
            while True:
                reply, _ = s.recvfrom(65535)
                first = reply.split(b"\r\n", 1)[0].decode("utf-8", "replace")
                if first.startswith("SIP/2.0 100"):
                    continue
                return first, reply
        except socket.timeout:
            return None, b""
    s = socket.create_connection((host, port), timeout=timeout)
    if transport == "tls":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    s.sendall(data)
    buf = b""
    try:
        while True:
            chunk = s.recv(65535)
            if not chunk:
                break
            buf += chunk
            while b"\r\n\r\n" in buf:
                head, rest = buf.split(b"\r\n\r\n", 1)
                first = head.split(b"\r\n", 1)[0].decode("utf-8", "replace")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() in (b"content-length", b"l"):
                        length = int(value.strip() or 0)
                buf = rest[length:]
                if not first.startswith("SIP/2.0 100"):
                    return first, head
    except socket.timeout:
        pass
    return None, b""


def options(host, port, transport):
    tag = "%08x" % random.getrandbits(32)
    local = "[::1]" if ":" in host else "127.0.0.1"
    hosturi = "[%s]" % host if ":" in host else host
    t = transport.upper()
    return (
        f"OPTIONS sip:{hosturi}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/{t} {local}:9;branch=z9hG4bK{tag};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:probe@{local}>;tag={tag}\r\n"
        f"To: <sip:{hosturi}:{port}>\r\n"
        f"Call-ID: probe-{tag}@{local}\r\n"
        f"CSeq: 1 OPTIONS\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("args", nargs="*")
    ap.add_argument("--transport", default="udp")
    # Long enough for a loaded box; an answered probe returns at once.
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--show", action="store_true", help="print the whole response head")
    ap.add_argument("--unique-branch", action="store_true")
    a = ap.parse_args()
    if a.cmd == "freeport":
        kind = a.args[0] if a.args else "udp"
        print(freeport_baresip(a.host) if kind == "baresip" else freeport(kind, a.host))
        return 0
    if a.cmd == "options":
        host, port = a.args[0], int(a.args[1])
        data = options(host, port, a.transport)
    elif a.cmd == "send":
        host, port = a.args[1], int(a.args[2])
        with open(a.args[0], "rb") as f:
            data = f.read()
        if a.unique_branch:
            tag = ("%08x" % random.getrandbits(32)).encode()
            # only branches with something after the magic cookie: a bare cookie is a test case
            data = re.sub(rb"(branch\s*=\s*z9hG4bK)(?=[A-Za-z0-9.!%*_+`'~-])", rb"\g<1>" + tag, data)
    else:
        ap.error("unknown command")
    first, head = exchange(data, host, port, a.transport, a.timeout)
    print(first if first else "NO RESPONSE")
    if a.show and head:
        print(head.decode("utf-8", "replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
