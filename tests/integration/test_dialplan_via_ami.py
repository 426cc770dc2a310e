#!/usr/bin/env python3
"""telephonyd with an extensions.conf, driven and observed only through AMI from outside.

Calls are placed with Originate through Local channels; the executed steps (Newexten Context/
Extension/Priority/Application/AppData) and the variable values (VarSet, Getvar) show Gosub with
arguments and a return value, GotoIf on a $[] expression, a While loop, ${EXTEN:1}, DB() writes
and reads, the i, t and h extensions. Also ShowDialPlan, DialplanExtensionAdd (a call then runs
the added extension) and Redirect of a running call. The daemon is always stopped.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from amilib import Ami, check  # noqa: E402

TELEPHONYD = os.environ.get('TELEPHONYD') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build', 'bin', 'telephonyd')

EXTENSIONS = r"""
[general]
autofallthrough = yes

[flow]
exten => _9XX,1,Answer()
 same => n,Set(NUM=${EXTEN:1})
 same => n,Gosub(sub,s,1(${NUM},two))
 same => n,Set(RES=${GOSUB_RETVAL})
 same => n,GotoIf($[${NUM} > 50]?big:small)
 same => n(big),Set(SIZE=big)
 same => n,Goto(loop)
 same => n(small),Set(SIZE=small)
 same => n(loop),Set(I=0)
 same => n,While($[${I} < 3])
 same => n,Set(I=$[${I} + 1])
 same => n,EndWhile()
 same => n,Set(DB(itest/last)=${NUM})
 same => n,Set(BACK=${DB(itest/last)})
 same => n,Goto(nowhere,1)
exten => i,1,Set(INV=${INVALID_EXTEN})
 same => n,WaitExten(0.3)
exten => t,1,Set(TIMEDOUT=yes)
 same => n,Wait(20)
exten => h,1,Set(HUNG=${EXTEN}-${SIZE})

[sub]
exten => s,1,Set(LOCAL(X)=${ARG1}-${ARG2}-${ARGC})
 same => n,Return(${X})

[moved]
exten => 42,1,Set(MOVED=yes)
 same => n,Wait(20)
exten => h,1,Set(HUNG=moved-${EXTEN})
"""


def second_half(ami, exten, context='flow'):
    """The ;2 channel of the Local pair that runs exten@context."""
    e = ami.wait(lambda e: e.get('Event') == 'Newchannel' and e.get('Channel', '').startswith(
        'Local/%s@%s-' % (exten, context)) and e.get('Channel', '').endswith(';2'), 'Local ;2 for ' + exten)
    return e['Channel']


def main():
    work = tempfile.mkdtemp(prefix='telephonyd-dpami.')
    daemon = None
    try:
        etc = os.path.join(work, 'etc')
        os.makedirs(etc)
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        with open(os.path.join(etc, 'telephony.conf'), 'w') as f:
            f.write('[directories]\nspooldir => spool\nrundir => run\nlogdir => log\ndbdir => db\n')
        with open(os.path.join(etc, 'logger.conf'), 'w') as f:
            f.write('[logfiles]\nmessages => notice,warning,error\n')
        with open(os.path.join(etc, 'extensions.conf'), 'w') as f:
            f.write(EXTENSIONS)
        with open(os.path.join(etc, 'manager.conf'), 'w') as f:
            f.write('[general]\nenabled = yes\nbindaddr = 127.0.0.1\nport = %d\n\n'
                    '[it]\nsecret = itsecret\nread = all\nwrite = all\n' % port)
        log = open(os.path.join(work, 'daemon.log'), 'w')
        daemon = subprocess.Popen([TELEPHONYD, '-C', etc, '-f'], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise AssertionError('AMI did not listen')
                time.sleep(0.05)
        ami = Ami(port)
        r = ami.action('Login', ('Username', 'it'), ('Secret', 'itsecret'))
        check(r.get('Response') == 'Success', 'login')

        # --- the big path: 975 -----------------------------------------------------------------
        r = ami.action('Originate', ('Channel', 'Local/975@flow'), ('Application', 'Wait'), ('Data', '30'),
                       ('Async', 'true'))
        check(r.get('Response') == 'Success', 'Originate Local/975@flow queued')
        ami.wait(lambda e: e.get('Event') == 'OriginateResponse' and e.get('Reason') == '4', 'OriginateResponse 4')
        chan = second_half(ami, '975')
        check(ami.var(chan, 'NUM') == '75', '${EXTEN:1} gave NUM=75')
        check(ami.var(chan, 'RES') == '75-two-2', 'Gosub with args returned 75-two-2 through GOSUB_RETVAL')
        check(ami.var(chan, 'SIZE') == 'big', 'GotoIf($[75 > 50]) took the big branch')
        ami.var(chan, 'TIMEDOUT')
        steps = ami.steps(chan)
        check(('sub', 's', '1', 'Set', 'LOCAL(X)=75-two-2') in steps, 'Newexten shows the Gosub body with its args')
        check(('flow', '975', '5', 'GotoIf', '1?big:small') in steps, 'Newexten shows the substituted $[] condition')
        whiles = [s for s in steps if s[3] == 'While']
        check([s[4] for s in whiles] == ['1', '1', '1', '0'], 'While ran 3 times then ended: %s' % whiles)
        check(ami.var(chan, 'BACK') == '75', 'DB() written and read back')
        check(ami.var(chan, 'INV') == 'nowhere', 'i extension with INVALID_EXTEN')
        check(('flow', 't', '1', 'Set', 'TIMEDOUT=yes') in ami.steps(chan), 't extension after WaitExten')
        r = ami.action('Getvar', ('Channel', chan), ('Variable', 'I'))
        check(r.get('Value') == '3', 'Getvar I=3 after the loop')
        r = ami.action('Getvar', ('Variable', 'DB(itest/last)'))
        check(r.get('Value') == '75', 'Getvar DB(itest/last)=75 from outside')
        r = ami.action('DBGet', ('Family', 'itest'), ('Key', 'last'))
        check(r.get('Response') == 'Success', 'DBGet sees the value DB() wrote')
        ami.wait(lambda e: e.get('Event') == 'DBGetResponse' and e.get('Val') == '75', 'DBGetResponse Val 75')

        # Redirect the running call (it sits in Wait(20) at t) into another context.
        r = ami.action('Redirect', ('Channel', chan), ('Context', 'moved'), ('Exten', '42'), ('Priority', '1'))
        check(r.get('Message') == 'Redirect successful', 'Redirect answered')
        check(ami.var(chan, 'MOVED') == 'yes', 'the redirected call runs moved,42,1')
        r = ami.action('Hangup', ('Channel', chan))
        check(r.get('Response') == 'Success', 'Hangup')
        check(ami.var(chan, 'HUNG') == 'moved-h', 'h of the context the call was redirected to ran')

        # --- the small path: 920 ---------------------------------------------------------------
        ami.action('Originate', ('Channel', 'Local/920@flow'), ('Application', 'Wait'), ('Data', '30'),
                   ('Async', 'true'))
        chan2 = second_half(ami, '920')
        check(ami.var(chan2, 'SIZE') == 'small', 'GotoIf($[20 > 50]) took the small branch')
        ami.var(chan2, 'TIMEDOUT')
        ami.action('Hangup', ('Channel', chan2))
        check(ami.var(chan2, 'HUNG') == 'h-small', 'h extension ran with ${EXTEN}=h and the call\'s variables')

        # --- the dialplan itself over AMI ------------------------------------------------------
        r = ami.action('DialplanExtensionAdd', ('Context', 'flow'), ('Extension', '777'), ('Priority', '1'),
                       ('Application', 'Set'), ('ApplicationData', 'ADDED=${EXTEN}'))
        check(r.get('Message') == 'Added extension', 'DialplanExtensionAdd')
        r = ami.action('ShowDialPlan', ('Context', 'flow'), ('Extension', '777'))
        check(r.get('EventList') == 'start', 'ShowDialPlan list')
        ami.wait(lambda e: e.get('Event') == 'ListDialplan' and e.get('Extension') == '777' and
                 e.get('AppData') == 'ADDED=${EXTEN}', 'ListDialplan item for 777')
        ami.wait(lambda e: e.get('Event') == 'ShowDialPlanComplete', 'ShowDialPlanComplete')
        ami.action('Originate', ('Channel', 'Local/777@flow'), ('Application', 'Wait'), ('Data', '1'),
                   ('Async', 'true'))
        chan3 = second_half(ami, '777')
        check(ami.var(chan3, 'ADDED') == '777', 'a new call runs the extension added over AMI')
        ami.action('Logoff')
    except AssertionError as e:
        print('FAIL:', e, file=sys.stderr)
        try:
            with open(os.path.join(work, 'daemon.log')) as f:
                sys.stderr.write(f.read()[-3000:])
        except OSError:
            pass
        return 1
    finally:
        if daemon:
            daemon.terminate()
            try:
                daemon.wait(5)
            except subprocess.TimeoutExpired:
                daemon.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
