#!/usr/bin/env python3
"""AMI tap for the integration tests: one logged-in AMI session that records every message it
receives (events and responses, blank-line separated) and sends the actions other processes
hand it through a FIFO, so a test can both send actions and check the events they caused.

  ami_tap.py HOST PORT USER SECRET EVENTS_FILE CTL_FIFO     # the tap (runs until killed)
  ami_tap.py --send CTL_FIFO EVENTS_FILE "Action: X" "Key: value"...
      # sends one action through the tap, prints its response block (also written to
      # ami.last beside EVENTS_FILE); exit status 1 when no response came within 10 s
"""
import os
import socket
import sys
import threading
import time
import uuid


def tap(host, port, user, secret, events_path, ctl_path):
    s = socket.create_connection((host, int(port)), timeout=10)
    f = s.makefile("rb")
    f.readline()  # banner
    s.sendall(f"Action: Login\r\nUsername: {user}\r\nSecret: {secret}\r\nEvents: on\r\n\r\n".encode())
    s.settimeout(None)
    out = open(events_path, "a", encoding="utf-8")
    logged_in = threading.Event()

    def reader():
        block = []
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                block.append(line)
                continue
            if block:
                out.write("\n".join(block) + "\n\n")
                out.flush()
                if block[0] == "Response: Success" and any(b.startswith("Message: Authentication accepted") for b in block):
                    logged_in.set()
                block = []
        os._exit(0)  # the server closed the session

    threading.Thread(target=reader, daemon=True).start()
    if not logged_in.wait(10):
        sys.exit("AMI login failed")
    os.mkfifo(ctl_path)
    while True:
        with open(ctl_path, "r", encoding="utf-8") as ctl:
            for line in ctl:
                fields = [x for x in line.rstrip("\n").split("\t") if x]
                if fields:
                    s.sendall(("\r\n".join(fields) + "\r\n\r\n").encode())


def send(ctl_path, events_path, lines):
    action_id = uuid.uuid4().hex
    with open(ctl_path, "w", encoding="utf-8") as ctl:
        ctl.write("\t".join(list(lines) + [f"ActionID: {action_id}"]) + "\n")
    last = os.path.join(os.path.dirname(events_path), "ami.last")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(events_path, encoding="utf-8") as ev:
            for block in ev.read().split("\n\n"):
                if block.startswith("Response:") and f"ActionID: {action_id}" in block.split("\n"):
                    with open(last, "w", encoding="utf-8") as o:
                        o.write(block + "\n")
                    # One write; a reader that stops early (`| grep -q`) is not an error: under
                    # pipefail a BrokenPipeError here failed a test whose check had matched.
                    try:
                        sys.stdout.write(block + "\n")
                        sys.stdout.flush()
                    except BrokenPipeError:
                        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                    return 0
        time.sleep(0.05)
    with open(last, "w", encoding="utf-8") as o:
        o.write(f"no response to {lines} within 10 s\n")
    return 1


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--send":
        sys.exit(send(sys.argv[2], sys.argv[3], sys.argv[4:]))
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    tap(*sys.argv[1:])
