#!/usr/bin/env python3
"""The AMI actions of issue 14 through python3-panoramisk against a real telephonyd.

GetConfig / GetConfigJSON / ListCategories on our files; UpdateConfig with every Action-NNNNNN
verb (NewCat, RenameCat, DelCat, EmptyCat, Update, Delete, Append, Insert), each change read back
with GetConfig and checked in the file on disk (comments kept, written atomically), a failing
batch that writes nothing, Reload: applying a dialplan change (dialplan show sees it);
CreateConfig; files outside the config directory refused; ModuleLoad unload/load/reload;
ControlPlayback; Park / ParkedCalls / Parkinglots with Park() and ParkedCall();
FilterList; PresenceState / PresenceStateList / PresenceStateChange with PRESENCE_STATE(); the
Cdr event of a real call. The daemon is always stopped.
"""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from panoramisk import Manager

TELEPHONYD = os.environ.get('TELEPHONYD') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build', 'bin', 'telephonyd')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ok(msg):
    print('ok -', msg, flush=True)


async def connect(port):
    loop = asyncio.get_running_loop()
    m = Manager(loop=loop, host='127.0.0.1', port=port, username='it', secret='itsecret',
                ping_delay=60, reconnect_timeout=60)
    await m.connect()
    for _ in range(100):
        if m.authenticated:
            break
        await asyncio.sleep(0.05)
    assert m.authenticated, 'login failed'
    return m


def lines_of(resp):
    """GetConfig's Line-NNNNNN-NNNNNN headers per category name."""
    cats = {}
    for k, v in resp.items():
        if k.startswith('Category-'):
            cats[k[len('Category-'):]] = (v, [])
    for k, v in sorted(resp.items()):
        if k.startswith('Line-'):
            cats[k.split('-')[1]][1].append(v)
    return {name: lines for name, lines in cats.values()}


async def scenario(port, etc):
    m = await connect(port)
    act = m.send_action

    # --- reads -------------------------------------------------------------------------------
    r = await act({'Action': 'GetConfig', 'Filename': 'sample.conf'})
    assert r.success, r
    cats = lines_of(r)
    assert cats == {'general': ['color=blue', 'size=10'], 'tmpl': ['shape=round'], 'obj': ['shape=round', 'name=first']}, cats
    assert r.get('IsTemplate-000001') == '1' and r.get('Templates-000002') == 'tmpl', r
    r = await act({'Action': 'GetConfig', 'Filename': 'sample.conf', 'Category': 'obj'})
    assert lines_of(r) == {'obj': ['shape=round', 'name=first']}, r
    r = await act({'Action': 'GetConfigJSON', 'Filename': 'sample.conf'})
    doc = json.loads(r['JSON'])
    assert doc['general'] == {'color': 'blue', 'size': '10'} and doc['tmpl']['istemplate'] == 1, doc
    assert doc['obj'] == {'templates': 'tmpl', 'shape': 'round', 'name': 'first'}, doc
    r = await act({'Action': 'ListCategories', 'Filename': 'sample.conf'})
    assert [r.get('Category-00000%d' % i) for i in range(3)] == ['general', 'tmpl', 'obj'], r
    r = await act({'Action': 'GetConfig', 'Filename': 'sample.conf', 'Filter': 'name=^fir'})
    assert list(lines_of(r)) == ['obj'], r
    ok('GetConfig, GetConfigJSON, ListCategories (templates resolved, Category and Filter)')

    for bad in ('../outside.conf', '/etc/passwd', 'sub/../../outside.conf', 'escape/x.conf'):
        r = await act({'Action': 'GetConfig', 'Filename': bad})
        assert r.response == 'Error' and r.message == 'File requires escalated privileges', (bad, r)
    r = await act({'Action': 'UpdateConfig', 'SrcFilename': 'sample.conf', 'DstFilename': '../x.conf',
                   'Action-000000': 'Append', 'Cat-000000': 'general', 'Var-000000': 'a', 'Value-000000': 'b'})
    assert r.response == 'Error' and r.message == 'File requires escalated privileges', r
    assert not os.path.exists(os.path.join(os.path.dirname(etc), 'x.conf'))
    r = await act({'Action': 'GetConfig', 'Filename': 'nosuch.conf'})
    assert r.message == 'Config file not found', r
    ok('files outside the config directory (.., absolute, symlink out) are refused')

    # --- UpdateConfig, every verb, read back each time ----------------------------------------
    async def update(*changes, reload=None, src='sample.conf', dst='sample.conf'):
        a = {'Action': 'UpdateConfig', 'SrcFilename': src, 'DstFilename': dst}
        if reload:
            a['Reload'] = reload
        for i, ch in enumerate(changes):
            for k, v in ch.items():
                a['%s-%06d' % (k, i)] = v
        return await act(a)

    async def read():
        return lines_of(await act({'Action': 'GetConfig', 'Filename': 'sample.conf'}))

    r = await update({'Action': 'Update', 'Cat': 'general', 'Var': 'color', 'Value': 'green'})
    assert r.success, r
    assert (await read())['general'] == ['color=green', 'size=10']
    r = await update({'Action': 'Append', 'Cat': 'general', 'Var': 'extra', 'Value': 'x'})
    assert (await read())['general'] == ['color=green', 'size=10', 'extra=x'], r
    r = await update({'Action': 'Insert', 'Cat': 'general', 'Var': 'first', 'Value': '1', 'Line': '0'})
    assert (await read())['general'] == ['first=1', 'color=green', 'size=10', 'extra=x'], r
    r = await update({'Action': 'Delete', 'Cat': 'general', 'Var': 'extra'})
    assert (await read())['general'] == ['first=1', 'color=green', 'size=10'], r
    r = await update({'Action': 'Delete', 'Cat': 'general', 'Line': '0'})
    assert (await read())['general'] == ['color=green', 'size=10'], r
    r = await update({'Action': 'NewCat', 'Cat': 'added', 'Options': 'inherit=tmpl'},
                     {'Action': 'Append', 'Cat': 'added', 'Var': 'k', 'Value': '>v'})
    assert r.success, r
    cats = await read()
    assert cats['added'] == ['shape=round', 'k=v'], cats
    r = await update({'Action': 'RenameCat', 'Cat': 'added', 'Value': 'renamed'})
    assert 'renamed' in await read() and 'added' not in await read(), r
    r = await update({'Action': 'EmptyCat', 'Cat': 'renamed'})
    assert (await read())['renamed'] == ['shape=round'], r  # only the inherited line is left
    r = await update({'Action': 'DelCat', 'Cat': 'renamed'})
    assert 'renamed' not in await read(), r
    text = open(os.path.join(etc, 'sample.conf')).read()
    assert '; the colour of things' in text and 'color = green' in text, text
    assert 'k => v' not in text and '[renamed]' not in text, text
    ok('UpdateConfig: Update, Append, Insert, Delete (Var and Line), NewCat (inherit), RenameCat, EmptyCat, DelCat; '
       'comments kept')

    before = open(os.path.join(etc, 'sample.conf')).read()
    r = await update({'Action': 'Append', 'Cat': 'general', 'Var': 'z', 'Value': '1'},
                     {'Action': 'Update', 'Cat': 'nosuch', 'Var': 'a', 'Value': 'b'})
    assert r.response == 'Error' and r.message == 'Given category does not exist', r
    r = await update({'Action': 'Update', 'Cat': 'general', 'Var': 'nosuch', 'Value': 'b'})
    assert r.message == 'Update did not complete successfully', r
    r = await update({'Action': 'Frobnicate', 'Cat': 'general'})
    assert r.message == 'Unknown action command', r
    r = await update({'Action': 'NewCat', 'Cat': 'general'})
    assert r.message == 'Create category did not complete successfully', r
    r = await update({'Action': 'Append', 'Cat': ''})
    assert r.message == 'Category not specified', r
    assert open(os.path.join(etc, 'sample.conf')).read() == before
    assert not [f for f in os.listdir(etc) if f.startswith('.sample.conf.')], os.listdir(etc)
    ok('UpdateConfig errors carry Asterisk\'s messages and write nothing (no temporary file left)')

    r = await update({'Action': 'Append', 'Cat': 'general', 'Var': 'copy', 'Value': 'yes'}, dst='copy.conf')
    assert r.success and 'copy=yes' in open(os.path.join(etc, 'copy.conf')).read().replace(' ', ''), r
    assert 'copy' not in ''.join((await read())['general'])
    r = await act({'Action': 'CreateConfig', 'Filename': 'fresh.conf'})
    assert r.success and os.path.getsize(os.path.join(etc, 'fresh.conf')) == 0, r
    r = await update({'Action': 'NewCat', 'Cat': 'one'}, {'Action': 'Append', 'Cat': 'one', 'Var': 'a', 'Value': 'b'},
                     src='fresh.conf', dst='fresh.conf')
    assert r.success and lines_of(await act({'Action': 'GetConfig', 'Filename': 'fresh.conf'})) == {'one': ['a=b']}, r
    ok('UpdateConfig to another DstFilename; CreateConfig then UpdateConfig fills it')

    # Reload: a dialplan change over UpdateConfig, then a call runs it.
    r = await update({'Action': 'Append', 'Cat': 'test', 'Var': 'exten', 'Value': '>700,1,Set(CDR(userfield)=from-ami)'},
                     {'Action': 'Append', 'Cat': 'test', 'Var': 'exten', 'Value': '>700,2,Hangup()'},
                     src='extensions.conf', dst='extensions.conf', reload='pbx_config')
    assert r.success, r
    out = await act({'Action': 'Command', 'Command': 'dialplan show 700@test'})
    text = '\n'.join(out.get('Output') if isinstance(out.get('Output'), list) else [out.get('Output')])
    assert 'Set(CDR(userfield)=from-ami)' in text, text
    r = await update({'Action': 'Append', 'Cat': 'test', 'Var': 'exten', 'Value': '>701,1,NoOp()'},
                     src='extensions.conf', dst='extensions.conf', reload='nosuchmodule')
    assert r.response == 'Error' and 'no module' in r.message, r
    ok('UpdateConfig Reload: pbx_config applies the change')

    # --- Cdr event of a real call -----------------------------------------------------------------
    loop = asyncio.get_running_loop()
    cdr = loop.create_future()

    def on_cdr(manager, ev):
        if ev.get('Destination') == 'answer' and ev.get('LastApplication') == 'Dial' and not cdr.done():
            cdr.set_result(ev)
    m.register_event('Cdr', on_cdr)
    r = await act({'Action': 'Originate', 'Channel': 'Local/answer@test', 'Application': 'Wait', 'Data': '2',
                   'Async': 'true'})
    ev = await asyncio.wait_for(cdr, 10)
    assert ev['Disposition'] == 'ANSWERED' and ev['LastApplication'] == 'Dial' and ev['Privilege'] == 'cdr,all', ev
    assert ev['DestinationChannel'].startswith('Local/pickup@test-') and ev['UserField'] == 'ans', ev
    assert int(ev['BillableSeconds']) >= 1 and ev['AnswerTime'], ev
    ok('Cdr event after a real call (cdr class, cdr_manager fields)')

    # --- ModuleLoad, FilterList ---------------------------------------------------------------------
    r = await act({'Action': 'ModuleLoad', 'Module': 'pbx_spool', 'LoadType': 'unload'})
    assert r.success and r.message == 'Module unloaded.', r
    r = await act({'Action': 'ModuleLoad', 'Module': 'pbx_spool.so', 'LoadType': 'load'})
    assert r.success and r.message == 'Module loaded.', r
    r = await act({'Action': 'ModuleLoad', 'Module': 'pbx_config', 'LoadType': 'reload'})
    assert r.success and r.message == 'Module reloaded.', r
    r = await act({'Action': 'ModuleLoad', 'Module': 'nosuch', 'LoadType': 'load'})
    assert r.response == 'Error' and r.message.startswith('Could not load module.'), r
    r = await act({'Action': 'ModuleLoad', 'Module': 'logger', 'LoadType': 'unload'})
    assert r.response == 'Error' and r.message.startswith('Could not unload module.'), r
    r = await act({'Action': 'ModuleLoad', 'Module': 'x'})
    assert r.message == 'Incomplete ModuleLoad action.', r
    ok('ModuleLoad load/unload/reload and its errors')
    r = await act({'Action': 'Filter', 'Operation': 'Add', 'Filter': '!Event: VarSet'})
    assert r.success, r
    r = await act({'Action': 'FilterList'})
    filters = r.get('Filter')
    filters = filters if isinstance(filters, list) else [filters]
    assert filters == ['!Event: Newexten', '!Event: VarSet'], r
    ok('FilterList shows manager.conf eventfilter lines and Filter actions')

    # --- presence ---------------------------------------------------------------------------------
    changed = loop.create_future()

    def on_presence(manager, ev):
        if ev.get('Presentity') == 'CustomPresence:bob' and not changed.done():
            changed.set_result(ev)
    m.register_event('PresenceStateChange', on_presence)
    r = await act({'Action': 'Setvar', 'Variable': 'PRESENCE_STATE(CustomPresence:bob)', 'Value': 'away,lunch,back at 2'})
    assert r.success, r
    ev = await asyncio.wait_for(changed, 5)
    assert ev['Status'] == 'away' and ev['Subtype'] == 'lunch' and ev['Message'] == 'back at 2', ev
    r = await act({'Action': 'PresenceState', 'Provider': 'CustomPresence:bob'})
    assert r.success and r['State'] == 'away' and r['Subtype'] == 'lunch', r
    r = await act({'Action': 'Getvar', 'Variable': 'PRESENCE_STATE(CustomPresence:bob,message)'})
    assert r['Value'] == 'back at 2', r
    r = await act({'Action': 'PresenceStateList'})
    items = [x for x in r if x.get('Event') == 'PresenceStateChange']
    assert [(x['Presentity'], x['Status']) for x in items] == [('CustomPresence:bob', 'away')], r
    assert r[-1]['Event'] == 'PresenceStateListComplete' and r[-1]['ListItems'] == '1', r
    r = await act({'Action': 'PresenceState', 'Provider': 'Nope:x'})
    assert r.response == 'Error', r
    r = await act({'Action': 'Setvar', 'Variable': 'PRESENCE_STATE(CustomPresence:bob)', 'Value': 'sleepy'})
    assert r.response == 'Error', r
    ok('PresenceState, PresenceStateList, PresenceStateChange, PRESENCE_STATE() read and write')

    # --- ControlPlayback ------------------------------------------------------------------------
    cp = loop.create_future()

    def on_user(manager, ev):
        if ev.get('UserEvent') == 'CP' and not cp.done():
            cp.set_result(ev)
    m.register_event('UserEvent', on_user)
    await act({'Action': 'Originate', 'Channel': 'Local/play@test', 'Application': 'Wait', 'Data': '10', 'Async': 'true'})
    chan = None
    for _ in range(100):
        out = await act({'Action': 'Command', 'Command': 'core show channels concise'})
        rows = out.get('Output') if isinstance(out.get('Output'), list) else [out.get('Output') or '']
        chan = next((x.split('!')[0] for x in rows if x.startswith('Local/play@test-') and '!ControlPlayback!' in x), None)
        if chan:
            break
        await asyncio.sleep(0.05)
    assert chan, rows
    for _ in range(50):  # the application opens the file before it accepts controls
        r = await act({'Action': 'ControlPlayback', 'Channel': chan, 'Control': 'pause'})
        if 'not playing' not in r.message:
            break
        await asyncio.sleep(0.05)
    assert r.response == 'Error' and 'no key' in r.message, r
    r = await act({'Action': 'ControlPlayback', 'Channel': chan, 'Control': 'sideways'})
    assert r.message == 'Unknown control type', r
    r = await act({'Action': 'ControlPlayback', 'Channel': chan, 'Control': 'stop'})
    assert r.success, r
    ev = await asyncio.wait_for(cp, 5)
    assert ev['Status'] == 'USERSTOPPED' and ev['Key'] == '0', ev
    r = await act({'Action': 'ControlPlayback', 'Channel': 'Local/nosuch-1', 'Control': 'stop'})
    assert r.message == 'No such channel', r
    ok('ControlPlayback stops a ControlPlayback() stream (CPLAYBACKSTATUS=USERSTOPPED), errors named')

    r = await act({'Action': 'ExtensionStateList'})
    items = [x for x in r if x.get('Event') == 'ExtensionStatus']
    assert [(x['Exten'], x['Context'], x['Hint'], x['Status'], x['StatusText']) for x in items] == \
        [('hold', 'test', 'Local/hold@test', '0', 'Idle')], r
    assert r[-1]['Event'] == 'ExtensionStateListComplete' and r[-1]['ListItems'] == '1', r
    ok('ExtensionStateList lists every hint with its state')

    r = await act({'Action': 'MessageSend', 'Body': 'hi'})
    assert r.response == 'Error' and r.message == "No 'To' address specified.", r
    for to in ('local:100@test', 'pjsip:alice', 'nourl'):
        r = await act({'Action': 'MessageSend', 'To': to, 'Body': 'hi'})
        assert r.response == 'Error' and r.message == 'Message technology not found.', (to, r)
    ok('MessageSend routes by the scheme to a driver that carries messages (none loaded: not found)')

    # --- parking ----------------------------------------------------------------------------------
    parked, unparked, timedout, usertimeout = (loop.create_future() for _ in range(4))

    def on_park(manager, ev):
        name = ev.get('Event')
        target = {'ParkedCall': parked, 'UnParkedCall': unparked, 'ParkedCallTimeOut': timedout}.get(name)
        if target is not None and not target.done():
            target.set_result(ev)

    def on_user2(manager, ev):
        if ev.get('UserEvent') == 'ParkTimeout' and not usertimeout.done():
            usertimeout.set_result(ev)
    for name in ('ParkedCall', 'UnParkedCall', 'ParkedCallTimeOut'):
        m.register_event(name, on_park)
    m.register_event('UserEvent', on_user2)
    r = await act({'Action': 'Parkinglots'})
    lots = [x for x in r if x.get('Event') == 'Parkinglot']
    assert [(x['Name'], x['StartSpace'], x['StopSpace'], x['Timeout']) for x in lots] == [('default', '701', '705', '3')], r
    await act({'Action': 'Originate', 'Channel': 'Local/hold@test', 'Application': 'Wait', 'Data': '20', 'Async': 'true'})
    hold = None
    for _ in range(100):
        out = await act({'Action': 'Command', 'Command': 'core show channels concise'})
        rows = out.get('Output') if isinstance(out.get('Output'), list) else [out.get('Output') or '']
        hold = next((x.split('!')[0] for x in rows if x.startswith('Local/hold@test-') and x.split('!')[0].endswith(';2')
                     and '!Wait!' in x), None)
        if hold:
            break
        await asyncio.sleep(0.05)
    assert hold, rows
    r = await act({'Action': 'Park', 'Channel': hold, 'TimeoutChannel': hold[:-1] + '1', 'Timeout': '30000'})
    assert r.success and r.message == 'Park successful', r
    ev = await asyncio.wait_for(parked, 5)
    assert ev['ParkeeChannel'] == hold and ev['ParkingSpace'] == '701' and ev['Parkinglot'] == 'default', ev
    assert ev['ParkerDialString'] == 'Local/hold@test', ev
    r = await act({'Action': 'ParkedCalls'})
    items = [x for x in r if x.get('Event') == 'ParkedCall']
    assert [x['ParkingSpace'] for x in items] == ['701'] and r[-1]['Event'] == 'ParkedCallsComplete', r
    await act({'Action': 'Originate', 'Channel': 'Local/701@parkedcalls', 'Application': 'Wait', 'Data': '2', 'Async': 'true'})
    ev = await asyncio.wait_for(unparked, 5)
    assert ev['ParkeeChannel'] == hold and ev['RetrieverChannel'].startswith('Local/701@parkedcalls-'), ev
    ok('Park (AMI) into space 701, ParkedCalls, Parkinglots, ParkedCall() retrieves it (UnParkedCall)')
    await act({'Action': 'Originate', 'Channel': 'Local/700@parkedcalls', 'Application': 'Wait', 'Data': '10', 'Async': 'true'})
    ev = await asyncio.wait_for(timedout, 8)
    assert ev['ParkeeChannel'].startswith('Local/700@parkedcalls-') and ev['ParkingSpace'] in ('701', '702'), ev
    ev = await asyncio.wait_for(usertimeout, 5)
    assert ev['Slot'] in ('701', '702'), ev
    ok('Park() by dialing the parking extension; after parkingtime the call times out to comebackcontext')

    m.close()


SAMPLE = """; a sample file for the config actions
[general]
; the colour of things
color = blue
size = 10

[tmpl](!)
shape = round

[obj](tmpl)
name = first
"""


def main():
    work = tempfile.mkdtemp(prefix='telephonyd-opsami-')
    etc = os.path.join(work, 'etc')
    os.makedirs(os.path.join(etc, 'sub'))
    os.symlink('/etc', os.path.join(etc, 'escape'))
    port = free_port()
    files = {
        'telephony.conf': '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n',
        'logger.conf': '[logfiles]\nmessages => notice,warning,error,verbose\n',
        'manager.conf': '[general]\nport = %d\nbindaddr = 127.0.0.1\n[it]\nsecret = itsecret\nread = all\n'
                        'write = all\neventfilter = !Event: Newexten\n' % port,
        'cdr.conf': '[general]\nenable = yes\n',
        'extensions.conf': '[test]\nexten => answer,1,Set(CDR(userfield)=ans)\n same => n,Dial(Local/pickup@test,5)\n'
                           'exten => pickup,1,Answer()\n same => n,Wait(1.2)\n same => n,Hangup()\n'
                           'exten => play,1,Answer()\n same => n,ControlPlayback(demo-congrats,1000,#,*,0)\n'
                           ' same => n,UserEvent(CP,Status: ${CPLAYBACKSTATUS},Key: ${CPLAYBACKSTOPKEY})\n'
                           'exten => hold,1,Answer()\n same => n,Wait(30)\nexten => hold,hint,Local/hold@test\n'
                           '[parkedcallstimeout]\nexten => s,1,UserEvent(ParkTimeout,Slot: ${PARKINGSLOT})\n'
                           ' same => n,Hangup()\n',
        'res_parking.conf': '[general]\n[default]\nparkext => 700\nparkpos => 701-705\ncontext => parkedcalls\n'
                            'parkingtime => 3\ncomebacktoorigin = no\ncomebackcontext = parkedcallstimeout\n',
        'sample.conf': SAMPLE,
    }
    for name, text in files.items():
        with open(os.path.join(etc, name), 'w') as f:
            f.write(text)
    log = open(os.path.join(work, 'daemon.log'), 'w')
    proc = subprocess.Popen([TELEPHONYD, '-C', etc, '-f'], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        asyncio.run(asyncio.wait_for(scenario(port, etc), 60))
    except BaseException:
        log.flush()
        sys.stderr.write(open(os.path.join(work, 'daemon.log')).read()[-4000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    print('1..0 all passed')


if __name__ == '__main__':
    main()
