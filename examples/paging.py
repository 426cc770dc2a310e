#!/usr/bin/env python3
"""Page a group of phones and report who answered, joined and left.

Runs an embedded engine (default), or drives a running telephonyd over AMI (--ami). The group
comes from the command line or a YAML file; Page() does the work, with the options you choose
(q: no beep, d: two-way, r: record ...), exactly as the dialplan application would.

    # embedded engine on the demo configuration, three Local phones of the demo dialplan
    examples/paging.py --config-dir examples/config Local/201@demo-page Local/202@demo-page
    # the same group from a YAML file, against a running telephonyd
    examples/paging.py --ami 127.0.0.1:5038 --user demo --secret demo --group examples/paging-group.yaml
    # SIP phones: the device strings are all that change
    examples/paging.py --ami 127.0.0.1:5038 --user demo --secret demo SIP/alice SIP/bob

The pager is the channel that speaks into the page (--pager): a phone that rings first (the
operator's SIP/operator), or a Local channel whose dialplan plays an announcement (the demo's
Local/announce@demo-page). The page lasts as long as the pager's call.

Exit status: 0 every device joined, 3 some did, 1 none did, 2 bad usage or configuration,
130 interrupted (Ctrl-C hangs every channel up first).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
import uuid

try:
    import telephony
except ImportError:  # run from a checkout: use the build tree's package
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "python"))
    import telephony
from telephony import ami

# The announcing pager of an engine made from code (with --config-dir, the configuration's own
# Local/announce@demo-page). The phones come from --dialplan. _PAGE_PROMPT and _PAGE_HOLD are set
# on the originated channel and inherited by the Local channel's dialplan half.
PAGER_DIALPLAN = """
[paging-pager]
exten => announce,1,Answer()
 same => n,Playback(${PAGE_PROMPT})
 same => n,Wait(${PAGE_HOLD})
 same => n,Hangup()
"""


def device_of(channel: str) -> str:
    """SIP/alice-0000000a -> SIP/alice; Local/201@ctx-00000003;1 -> Local/201@ctx."""
    return re.sub(r"-[0-9a-f]{8}(;[12])?$", "", channel)


class PageReport:
    """Follows one page through its events (the same fields from the engine or from AMI)."""

    def __init__(self, pager_uniqueid: str, devices: list[str]) -> None:
        self.pager = pager_uniqueid
        self.devices = devices
        self.answered: list[str] = []
        self.joined: list[str] = []
        self.left: list[str] = []
        self.failed: dict[str, str] = {}
        self.room = ""  # the page's conference (Page names it at random): learnt from the pager's join
        self.dest_channels: set[str] = set()  # the devices' channels that answered
        self.pending: list[tuple[str, str, str]] = []  # (kind, conference, channel) not placed yet
        self.done = False

    def feed(self, ev: "telephony.Event") -> None:
        if ev.type == "DialEnd" and ev.get("Uniqueid") == self.pager:
            device = device_of(ev["DestChannel"])
            status = ev.get("DialStatus", "")
            if status == "ANSWER":
                self.answered.append(device)
                self.dest_channels.add(ev["DestChannel"])
                print(f"answered: {device}", flush=True)
            else:
                self.failed[device] = status
                print(f"not answered: {device} ({status})", flush=True)
            self.place_pending()
        elif ev.type in ("ConfbridgeJoin", "ConfbridgeLeave"):
            kind = "join" if ev.type == "ConfbridgeJoin" else "leave"
            if ev.get("Uniqueid") == self.pager:
                self.room = ev.get("Conference", "")
            elif not ev.get("Channel", "").startswith("Recorder/"):  # the page recorder (option r)
                self.pending.append((kind, ev.get("Conference", ""), ev.get("Channel", "")))
            self.place_pending()
        elif ev.type == "Hangup" and ev.get("Uniqueid") == self.pager:
            print(f"pager hung up: {ev.get('Cause-txt', '')}", flush=True)
            self.done = True

    def place_pending(self) -> None:
        """Joins and leaves of this page's conference: its room once the pager joined it, or a
        channel the pager's Dial answered (the events of different channels may come in any order)."""
        keep = []
        for kind, conference, channel in self.pending:
            if (self.room and conference == self.room) or channel in self.dest_channels:
                device = device_of(channel)
                (self.joined if kind == "join" else self.left).append(device)
                print(f"{'joined' if kind == 'join' else 'left'}: {device}", flush=True)
            else:
                keep.append((kind, conference, channel))
        self.pending = keep

    def finished(self) -> bool:
        # Every joined device has left once the pager is gone (Page hangs them all up).
        return self.done and len(self.left) >= len(self.joined)

    def exit_status(self) -> int:
        joined = len(set(self.joined))
        print(f"page result: {joined} of {len(self.devices)} device(s) joined", flush=True)
        if joined == 0:
            return 1
        return 0 if joined >= len(self.devices) else 3


def load_group(args: argparse.Namespace) -> dict:
    group = {"devices": [], "options": "q", "timeout": 10, "pager": None, "prompt": "hello-world", "hold": 1}
    if args.group:
        import yaml  # python3-yaml

        with open(args.group) as f:
            data = yaml.safe_load(f) or {}
        unknown = set(data) - set(group) - {"name"}
        if unknown:
            raise SystemExit(f"paging.py: {args.group}: unknown key(s) {', '.join(sorted(unknown))}")
        group.update(data)
    for key in ("options", "timeout", "pager", "prompt", "hold"):
        value = getattr(args, key)
        if value is not None:
            group[key] = value
    group["devices"] = list(group["devices"]) + list(args.devices or [])
    if not group["devices"]:
        raise SystemExit("paging.py: no devices (give them on the command line or in --group)")
    return group


def page_data(group: dict) -> str:
    return f"{'&'.join(group['devices'])},{group['options']},{group['timeout']}"


def run_engine(args: argparse.Namespace, group: dict) -> int:
    engine = telephony.Engine(config_dir=args.config_dir) if args.config_dir else telephony.Engine()
    with engine:
        if not args.config_dir:
            text = PAGER_DIALPLAN
            if args.dialplan:
                with open(args.dialplan) as f:
                    text += "\n" + f.read()
            engine.load_dialplan(text, name=args.dialplan or "paging.py")
        pager = group["pager"] or ("Local/announce@demo-page" if args.config_dir else "Local/announce@paging-pager")
        pager_id = "pager-" + uuid.uuid4().hex[:12]
        report = PageReport(pager_id, group["devices"])
        events = engine.events("DialEnd", "ConfbridgeJoin", "ConfbridgeLeave", "Hangup")
        print(f"paging {len(group['devices'])} device(s) from {pager}", flush=True)
        result = engine.originate(pager, application="Page", data=page_data(group), timeout=args.ring,
                                  channel_id=pager_id,
                                  variables={"_PAGE_PROMPT": group["prompt"], "_PAGE_HOLD": str(group["hold"])})
        if not result.answered:
            print(f"the pager did not answer: {result.reason.text}", flush=True)
            return 1
        deadline = time.monotonic() + args.max_duration
        while not report.finished() and time.monotonic() < deadline:
            ev = events.get(timeout=0.5)
            if ev is not None:
                report.feed(ev)
        return report.exit_status()


def run_ami(args: argparse.Namespace, group: dict) -> int:
    host, _, port = args.ami.rpartition(":")
    with ami.Client(host or "127.0.0.1", int(port or 5038)) as client:
        client.login(args.user, args.secret)
        pager = group["pager"] or "Local/announce@demo-page"
        pager_id = "pager-" + uuid.uuid4().hex[:12]
        report = PageReport(pager_id, group["devices"])
        print(f"paging {len(group['devices'])} device(s) from {pager} via {client.banner}", flush=True)
        r = client.send("Originate", Channel=pager, Application="Page", Data=page_data(group), Async="true",
                        Timeout=str(int(args.ring * 1000)), ChannelId=pager_id,
                        Variable=[f"_PAGE_PROMPT={group['prompt']}", f"_PAGE_HOLD={group['hold']}"])
        if not r.ok:
            print(f"Originate refused: {r.get('Message')}", flush=True)
            return 2
        events = client.events("OriginateResponse", "DialEnd", "ConfbridgeJoin", "ConfbridgeLeave", "Hangup")
        deadline = time.monotonic() + args.max_duration
        while not report.finished() and time.monotonic() < deadline:
            ev = events.get(timeout=0.5)
            if ev is None:
                if not client.is_open:
                    print("AMI connection lost", flush=True)
                    break
                continue
            if ev.type == "OriginateResponse" and ev.get("Uniqueid") == pager_id and ev.get("Response") != "Success":
                print(f"the pager did not answer: {ev.get('Reason')}", flush=True)
                return 1
            report.feed(ev)
        return report.exit_status()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("devices", nargs="*", help="devices to page (Tech/resource: SIP/alice, Local/201@ctx)")
    p.add_argument("--device", dest="devices", action="append", help="a device to page (repeatable)")
    p.add_argument("--group", help="YAML file: devices, options, timeout, pager, prompt, hold")
    p.add_argument("--options", help="Page() options (default q: no beep)")
    p.add_argument("--timeout", type=int, help="seconds each device may ring (default 10)")
    p.add_argument("--pager", help="the channel that speaks into the page")
    p.add_argument("--prompt", help="announcement the demo pager plays (default hello-world)")
    p.add_argument("--hold", type=float, help="seconds the demo pager stays after its announcement")
    p.add_argument("--ring", type=float, default=30, help="seconds the pager may ring (default 30)")
    p.add_argument("--max-duration", type=float, default=120, help="give up after this many seconds")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--config-dir", help="run an engine on this configuration directory")
    mode.add_argument("--dialplan", help="run an engine with this extensions.conf-style file (the phones)")
    mode.add_argument("--ami", help="HOST:PORT of a running telephonyd (or Asterisk)")
    p.add_argument("--user", default="demo", help="AMI user (default demo)")
    p.add_argument("--secret", default="demo", help="AMI secret (default demo)")
    args = p.parse_args(argv)
    try:
        group = load_group(args)
        return run_ami(args, group) if args.ami else run_engine(args, group)
    except KeyboardInterrupt:
        print("interrupted: every channel was hung up", flush=True)
        return 130
    except (telephony.ConfigError, telephony.OriginateError, telephony.AMIError) as exc:
        print(f"paging.py: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
