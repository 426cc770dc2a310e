#!/usr/bin/env python3
"""Send one command to baresip's ctrl_tcp module (netstring-framed JSON) and print replies/events.
(From the team's loopback peer recipes; used by tests/integration/test_sip_baresip_*.sh.)
usage: baresip_ctrl.py [-p PORT] [-w SECONDS] COMMAND [PARAMS]
   e.g. baresip_ctrl.py dial sip:100@127.0.0.1:5070 ; baresip_ctrl.py hangup ; baresip_ctrl.py listcalls"""
import json, socket, sys, time, argparse
ap = argparse.ArgumentParser()
ap.add_argument('-p', '--port', type=int, default=4444)
ap.add_argument('-w', '--wait', type=float, default=1.0, help='seconds to keep reading replies/events')
ap.add_argument('command'); ap.add_argument('params', nargs='?', default='')
a = ap.parse_args()
s = socket.create_connection(('127.0.0.1', a.port), timeout=5)
msg = json.dumps({'command': a.command, 'params': a.params, 'token': 't1'}).encode()
s.sendall(b'%d:%s,' % (len(msg), msg))
buf = b''; end = time.time() + a.wait; s.settimeout(0.2)
while time.time() < end:
    try:
        d = s.recv(65536)
        if not d: break
        buf += d
    except socket.timeout:
        pass
    while b':' in buf:
        n, rest = buf.split(b':', 1)
        if not n.isdigit() or len(rest) < int(n) + 1: break
        print(rest[:int(n)].decode(errors='replace')); buf = rest[int(n)+1:]
