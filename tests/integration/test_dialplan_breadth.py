#!/usr/bin/env python3
"""Issue 16 through telephonyd: the dialplan functions and applications added for Asterisk
breadth, on Local channels placed with AMI Originate, observed only through AMI (VarSet values,
Newexten steps, Pickup, BlindTransfer, CEL, BridgeCreate/BridgeEnter, Hangup events, Command
output). Expected values are Asterisk's for the same dialplan.
"""
import base64
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from amilib import Daemon, check, equal  # noqa: E402

EXTENSIONS = r"""
[general]
autofallthrough = yes

[funcs]
exten => 100,1,Set(S=hello world)
 same => n,Set(R_STRREPLACE=${STRREPLACE(S,o,0)})
 same => n,Set(R_STRREPLACE1=${STRREPLACE(S,o,0,1)})
 same => n,Set(D=1234)
 same => n,Set(R_STRBETWEEN=${STRBETWEEN(D,-)})
 same => n,Set(SP=${SPRINTF(%5s,x)})
 same => n,Set(R_TRIM=[${TRIM(${SP} )}])
 same => n,Set(R_LTRIM=[${LTRIM(${SP} )}])
 same => n,Set(R_RTRIM=[${RTRIM(${SP} )}])
 same => n,Set(R_PASSTHRU=${PASSTHRU(a,b)})
 same => n,Set(R_KEYPADHASH=${KEYPADHASH(Hello1)})
 same => n,Set(R_URIENCODE=${URIENCODE(a b&c/d)})
 same => n,Set(R_URIDECODE=${URIDECODE(a%20b%2Fc+d)})
 same => n,Set(HASH(h,one)=1)
 same => n,Set(HASH(h,two)=2)
 same => n,Set(R_HASH=${HASH(h,two)})
 same => n,Set(R_HASHKEYS=${HASHKEYS(h)})
 same => n,Set(ARRAY(A1,A2,A3)=x,y)
 same => n,Set(R_SORT=${SORT(a:3,b:1,c:2)})
 same => n,Set(N=5)
 same => n,Set(R_INC=${INC(N)})
 same => n,Set(R_DEC=${DEC(N)})
 same => n,Set(R_MIN=${MIN(7,4)})
 same => n,Set(R_MAX=${MAX(1.5,1)})
 same => n,Set(R_ABS=${ABS(-13)})
 same => n,Set(R_AES_ENCRYPT=${AES_ENCRYPT(0123456789abcdef,secret)})
 same => n,Set(R_AES_DECRYPT=${AES_DECRYPT(0123456789abcdef,${R_AES_ENCRYPT})})
 same => n,Set(R_EVAL=${EVAL(${FILE(@WORK@/e.txt)})})
 same => n,Set(R_DIALPLAN_EXISTS=${DIALPLAN_EXISTS(funcs,100,1)}${DIALPLAN_EXISTS(funcs,999)}${DIALPLAN_EXISTS(FUNCS)})
 same => n,Set(R_VALID_EXTEN=${VALID_EXTEN(funcs,200)}${VALID_EXTEN(funcs,201)})
 same => n,Set(R_EVAL_EXTEN=${EVAL_EXTEN(funcs,200,1)})
 same => n,Set(R_FILE=${FILE(@WORK@/f.txt,4,3)})
 same => n,Set(R_FILE_LINES=${FILE(@WORK@/f.txt,1,1,l)})
 same => n,Set(R_FILE_COUNT_LINE=${FILE_COUNT_LINE(@WORK@/f.txt)})
 same => n,Set(R_FILE_FORMAT=${FILE_FORMAT(@WORK@/f.txt)})
 same => n,Set(R_STAT=${STAT(e,@WORK@/f.txt)}${STAT(d,@WORK@)}:${STAT(s,@WORK@/f.txt)})
 same => n,Set(R_SHELL=${SHELL(printf 'hi %s' there)})
 same => n,Set(R_SYSINFO=${SYSINFO(NUMPROCS)})
 same => n,Set(R_VERSION=${VERSION(ASTERISK_VERSION_NUM)})
 same => n,Set(J={"a":{"b":[10,20]},"s":"x","t":true})
 same => n,Set(R_JSON=${JSON_DECODE(J,a.b.1)}|${JSON_DECODE(J,s)}|${JSON_DECODE(J,a.b,,c)}|${JSON_DECODE(J,a)}|${JSON_DECODE(J,t)})
 same => n,Set(R_CHANNEL_EXISTS=${CHANNEL_EXISTS(${CHANNEL})}${CHANNEL_EXISTS(Nope/none)})
 same => n,Set(R_MASTER_CHANNEL=${MASTER_CHANNEL(CHANNEL(name))})
 same => n,Set(R_IMPORT=${IMPORT(${CHANNEL},S)})
 same => n,Set(R_CHANNELS=${CHANNELS(^Local/100@funcs-)})
 same => n,Set(REDIRECTING(from-num)=5551234)
 same => n,Set(REDIRECTING(reason)=NO-ANSWER)
 same => n,Set(R_REDIRECTING=${CALLERID(rdnis)}/${REDIRECTING(reason)}/${REDIRECTING(count)})
 same => n,Set(CALLERPRES()=prohib)
 same => n,Set(R_CALLERPRES=${CALLERPRES()}/${CALLERID(pres)})
 same => n,Set(GROUP(sales)=g1)
 same => n,Set(R_GROUP=${GROUP(sales)}/${GROUP_COUNT(g1@sales)}/${GROUP_MATCH_COUNT(^g@sales)}/${GROUP_LIST()})
 same => n,Set(R_LOCK=${LOCK(res)}${TRYLOCK(res)}${UNLOCK(res)}${UNLOCK(res)}${UNLOCK(res)})
 same => n,Set(DIALGROUP(team,add)=Local/1@x)
 same => n,Set(DIALGROUP(team,add)=Local/2@x)
 same => n,Set(DIALGROUP(team,del)=Local/1@x)
 same => n,Set(DIALGROUP(team,add)=Local/3@x)
 same => n,Set(R_DIALGROUP=${DIALGROUP(team)})
 same => n,Set(DONE=funcs)
 same => n,Wait(10)
exten => 200,1,NoOp(${EXTEN}-${CONTEXT}-${PRIORITY})

; the other LOCK holder: takes it, then frees it after a moment. The moment must outlast the
; test's reaction to R_HOLD (an AMI round trip, a new Local pair, 111's Wait) so 111's TRYLOCK
; finds the lock held, and stay well under LOCK's 3 s so 111's LOCK gets it (0.5 s raced a busy box).
exten => 110,1,Set(R_HOLD=${LOCK(shared)})
 same => n,Wait(1.5)
 same => n,Set(R_FREEING=now)
 same => n,Set(R_FREE=${UNLOCK(shared)})
 same => n,Wait(10)
exten => 111,1,Wait(0.1)
 same => n,Set(R_TRY=${TRYLOCK(shared)})
 same => n,Set(R_WAITED=${LOCK(shared)})
 same => n,Wait(10)

[apps]
exten => 300,1,Set(X=2)
 same => n,If($[${X}=1])
 same => n,Set(BRANCH=one)
 same => n,ElseIf($[${X}=2])
 same => n,Set(BRANCH=two)
 same => n,ExitIf()
 same => n,Set(BRANCH=wrong)
 same => n,Else()
 same => n,Set(BRANCH=else)
 same => n,EndIf()
 same => n,Exec(Set(EXECED=yes))
 same => n,TryExec(NoSuchApp(x))
 same => n,Set(R_TRY1=${TRYSTATUS})
 same => n,TryExec(Set(T=1))
 same => n,Set(R_TRY2=${TRYSTATUS})
 same => n,TrySystem(exit 3)
 same => n,Set(R_SYS1=${SYSTEMSTATUS})
 same => n,TrySystem(true)
 same => n,Set(R_SYS2=${SYSTEMSTATUS})
 same => n,ImportVar(IMP=${CHANNEL},BRANCH)
 same => n,Set(HASH(hh,k)=v)
 same => n,ClearHash(hh)
 same => n,Set(R_CLEARED=[${HASH(hh,k)}])
 same => n,Set(DB(tree/a/b)=1)
 same => n,DBdeltree(tree)
 same => n,Set(R_DELTREE=[${DB(tree/a/b)}])
 same => n,CELGenUserEvent(MyEvent,some extra)
 same => n,WaitUntil($[${EPOCH}+1])
 same => n,Set(R_WAITUNTIL=${WAITUNTILSTATUS})
 same => n,WaitForCondition(#,#[#{X}=2],2)
 same => n,Set(R_WFC=${WAITFORCONDITIONSTATUS})
 same => n,WaitForCondition(#,#[#{X}=3],0.3,0.05)
 same => n,Set(R_WFC2=${WAITFORCONDITIONSTATUS})
 same => n,Reload(pbx_config)
 same => n,Set(R_RELOAD=${RELOADSTATUS})
 same => n,Set(DONE=apps)
 same => n,Wait(10)

exten => 310,1,Set(GLOBAL(VICTIM)=${CHANNEL})
 same => n,Wait(20)
exten => 311,1,ChannelRedirect(${VICTIM},apps,312,1)
 same => n,Set(R_REDIRECT=${CHANNELREDIRECT_STATUS})
 same => n,ChannelRedirect(Nope/none,apps,312,1)
 same => n,Set(R_REDIRECT2=${CHANNELREDIRECT_STATUS})
 same => n,Wait(10)
exten => 312,1,Set(REDIRECTED=yes)
 same => n,Wait(20)
exten => 313,1,SoftHangup(${VICTIM})
 same => n,Wait(10)

exten => 320,1,Answer()
 same => n,StoreDTMF(RX,DIGITS)
 same => n,Wait(2)
 same => n,Set(R_STORED=${DIGITS})
 same => n,Wait(10)

; blind transfer by the called party of a Dial
exten => caller,1,Answer()
 same => n,Wait(20)
exten => dialer,1,Dial(Local/callee@apps,10)
exten => callee,1,Answer()
 same => n,Wait(0.5)
 same => n,BlindTransfer(target,apps)
exten => target,1,Set(TRANSFERRED=yes)
 same => n,Wait(20)
exten => caller2,1,Answer()
 same => n,Wait(20)
exten => dialer2,1,Dial(Local/refer@apps,10)
exten => refer,1,Answer()
 same => n,Wait(0.5)
 same => n,Transfer(target2@apps)
exten => target2,1,Set(TRANSFERRED2=yes)
 same => n,Wait(20)
exten => alone,1,Answer()
 same => n,BlindTransfer(target,apps)
 same => n,Set(R_BLIND_ALONE=${BLINDTRANSFERSTATUS})
 same => n,Wait(10)

; pickup by group: the leg Dial rings is in call group 3
exten => ringme,1,Dial(Local/phone@apps,20,b(apps^setgroup^1))
exten => setgroup,1,Set(CHANNEL(callgroup)=3)
 same => n,Return()
exten => phone,1,Ringing()
 same => n,Wait(20)
exten => picker,1,Set(CHANNEL(pickupgroup)=1,3-4)
 same => n,Pickup()
 same => n,Set(R_PICKUP=after)
exten => ringme2,1,Dial(Local/phone@apps,20)
exten => extpicker,1,Pickup(ringme2@APPS)
exten => chanpicker,1,PickupChan(Local/phone@apps,p)
exten => nopick,1,Pickup(nothing@nowhere)
 same => n,Set(R_NOPICK=continued)
 same => n,Wait(10)

; bridges
exten => bwait,1,Set(GLOBAL(HOLDER)=${CHANNEL})
 same => n,BridgeWait(myhold,PARTICIPANT,e(s))
exten => bridger,1,Answer()
 same => n,Bridge(${HOLDER})
exten => bridgeself,1,Bridge(${CHANNEL})
 same => n,Set(R_BRIDGE_SELF=${BRIDGERESULT})
 same => n,Bridge(Nope/none)
 same => n,Set(R_BRIDGE_NONE=${BRIDGERESULT})
 same => n,Wait(10)

; authentication and access
exten => auth,1,Answer()
 same => n,Authenticate(1234)
 same => n,Set(AUTHED=yes)
 same => n,Wait(10)
exten => disa,1,DISA(4321,inside)
exten => privacy,1,Answer()
 same => n,Set(CALLERID(num)=)
 same => n,PrivacyManager(3,10)
 same => n,Set(R_PRIVACY=${PRIVACYMGRSTATUS}/${CALLERID(num)})
 same => n,Wait(10)

; RetryDial: two attempts at a busy line
exten => retry,1,RetryDial(beep,1,2,Local/busy@apps,5)
 same => n,Set(R_RETRY=${DIALSTATUS})
 same => n,Wait(10)
exten => busy,1,Busy(1)

; in-band signalling and text through the Local pair
exten => mfrx,1,Answer()
 same => n,ReceiveMF(MF,5)
 same => n,Set(R_MF=${MF}/${RECEIVEMFSTATUS})
 same => n,Wait(10)
exten => sfrx,1,Answer()
 same => n,ReceiveSF(SF,3,10,2600)
 same => n,Set(R_SF=${SF}/${RECEIVESFSTATUS})
 same => n,Wait(10)
exten => texttx,1,Wait(1)
 same => n,SendText(hello there)
 same => n,Wait(10)
exten => textrx,1,Answer()
 same => n,ReceiveText(5)
 same => n,Set(R_TEXT=${RECEIVETEXTMESSAGE}/${RECEIVETEXTSTATUS})
 same => n,Wait(10)
exten => readexten,1,Answer()
 same => n,ReadExten(EXT,,inside,,5)
 same => n,Set(R_READEXTEN=${EXT}/${READEXTENSTATUS})
 same => n,Wait(10)

[inside]
exten => 500,1,Set(INSIDE=${EXTEN})
 same => n,Wait(10)
exten => 501,1,NoOp()

[fm]
exten => start,1,FollowMe(sales,s)
 same => n,Set(R_FOLLOWME=done)
exten => 700,1,Answer()
 same => n,Wait(2)
 same => n,SendDTMF(1)
 same => n,Wait(10)
"""

FOLLOWME = """
[general]
featuredigittimeout => 5000
takecall => 1
declinecall => 2

[sales]
context => fm
number => 700,10
"""


def aes_ecb_b64(key, text):
    padded = text.encode() + b'\0' * (-len(text) % 16)
    out = subprocess.run(['openssl', 'enc', '-aes-128-ecb', '-nopad', '-K', key.encode().hex()],
                         input=padded, capture_output=True, check=True).stdout
    return base64.b64encode(out).decode()


def quick_prompts(work):
    """A sounds folder where every installed English prompt is 20 ms of silence: the access
    applications' prompts (several seconds each) then take no time."""
    real = '/usr/share/asterisk/sounds/en'
    for root, _dirs, files in os.walk(real, followlinks=True):
        for name in files:
            rel = os.path.relpath(os.path.join(root, os.path.splitext(name)[0]), real)
            path = os.path.join(work, 'sounds', 'en', rel + '.sln')
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(b'\0' * 320)


def run_functions(d, ami):
    with open(os.path.join(d.work, 'f.txt'), 'w') as f:
        f.write('one\ntwo\nthree\n')
    with open(os.path.join(d.work, 'e.txt'), 'w') as f:
        f.write('say ${S}')
    ami.originate('Local/100@funcs', app='Wait', data='15')
    chan = ami.local_half('100', 'funcs')
    one = ami.local_half('100', 'funcs', half=1)
    ami.var(chan, 'DONE')
    want = {
        'R_STRREPLACE': 'hell0 w0rld',
        'R_STRREPLACE1': 'hell0 world',
        'R_STRBETWEEN': '1-2-3-4',
        'R_TRIM': '[x]',
        'R_LTRIM': '[x ]',
        'R_RTRIM': '[    x]',
        'R_PASSTHRU': 'a,b',
        'R_KEYPADHASH': '435561',
        'R_URIENCODE': 'a%20b%26c%2Fd',
        'R_URIDECODE': 'a b/c+d',
        'R_HASH': '2',
        'R_HASHKEYS': 'two,one',
        'A1': 'x',
        'A2': 'y',
        'A3': '',
        'R_SORT': 'b,c,a',
        'R_INC': '6',
        'R_DEC': '5',
        'R_MIN': '4',
        'R_MAX': '1.500000',
        'R_ABS': '13',
        'R_AES_ENCRYPT': aes_ecb_b64('0123456789abcdef', 'secret'),
        'R_AES_DECRYPT': 'secret',
        'R_EVAL': 'say hello world',
        'R_DIALPLAN_EXISTS': '100',  # context names are case-sensitive (Asterisk's strcmp)
        'R_VALID_EXTEN': '10',
        'R_EVAL_EXTEN': '200-funcs-1',
        'R_FILE': 'two',
        'R_FILE_COUNT_LINE': '3',
        'R_FILE_FORMAT': 'u',
        'R_STAT': '11:14',
        'R_SHELL': 'hi there',
        'R_VERSION': '00100',
        # VarSet writes the value C-escaped, as Asterisk's does.
        'R_JSON': r'20|x|2|{\"b\":[10,20]}|1',
        'R_CHANNEL_EXISTS': '10',
        'R_MASTER_CHANNEL': one,
        'R_IMPORT': 'hello world',
        'R_CHANNELS': one + ' ' + chan,
        'R_REDIRECTING': '5551234/cfnr/0',
        'R_CALLERPRES': 'prohib/prohib',
        'R_GROUP': 'g1/1/1/g1@sales',
        'R_LOCK': '11110',
        'R_DIALGROUP': 'Local/2@x&Local/3@x',
    }
    for name, value in want.items():
        equal(ami.last_var(chan, name), value, name)
    check(ami.last_var(chan, 'R_SYSINFO').isdigit(), 'SYSINFO(NUMPROCS) is a number (keyword case-insensitive)')

    # LOCK held by another channel: TRYLOCK fails at once, LOCK waits until it is freed.
    ami.originate('Local/110@funcs', app='Wait', data='15')
    holder = ami.local_half('110', 'funcs')
    ami.var(holder, 'R_HOLD')
    ami.originate('Local/111@funcs', app='Wait', data='15')
    waiter = ami.local_half('111', 'funcs')
    equal(ami.var(waiter, 'R_TRY'), '0', 'TRYLOCK of a lock another channel holds')
    equal(ami.var(waiter, 'R_WAITED'), '1', 'LOCK waited for the holder to UNLOCK')
    free = ami.event('VarSet', Channel=holder, Variable='R_FREEING')  # the step before UNLOCK
    waited = ami.event('VarSet', Channel=waiter, Variable='R_WAITED')
    check(ami.events.index(free) < ami.events.index(waited), 'the waiter got the lock only after it was freed')

    # Documentation as data: core show function.
    out = '\n'.join(ami.command('core show function STRREPLACE'))
    check('STRREPLACE(varname,find-string[,replace-string[,max-replacements]])' in out,
          'core show function STRREPLACE shows the syntax')
    for name in ('HASH', 'JSON_DECODE', 'LOCK', 'AES_ENCRYPT', 'FILE', 'SHELL', 'DIALGROUP', 'REDIRECTING',
                 'GROUP_MATCH_COUNT', 'EVAL_EXTEN', 'MASTER_CHANNEL', 'KEYPADHASH'):
        out = '\n'.join(ami.command('core show function ' + name))
        check('[Syntax]' in out and name in out, 'core show function %s documents it' % name)


def run_flow(d, ami):
    ami.originate('Local/300@apps', app='Wait', data='15')
    chan = ami.local_half('300', 'apps')
    ami.var(chan, 'DONE', timeout=15)
    want = {
        'BRANCH': 'two',
        'EXECED': 'yes',
        'R_TRY1': 'NOAPP',
        'R_TRY2': 'SUCCESS',
        'R_SYS1': 'APPERROR',
        'R_SYS2': 'SUCCESS',
        'IMP': 'two',
        'R_CLEARED': '[]',
        'R_DELTREE': '[]',
        'R_WAITUNTIL': 'OK',
        'R_WFC': 'TRUE',
        'R_WFC2': 'TIMEOUT',
        'R_RELOAD': 'SUCCESS',
    }
    for name, value in want.items():
        equal(ami.last_var(chan, name), value, name)
    check(ami.find(lambda e: e.get('Event') == 'VarSet' and e.get('Channel') == chan and
                   e.get('Variable') == '~HASH~hh~k~' and e.get('Value') == ''), 'ClearHash unset ~HASH~hh~k~')
    cel = ami.event('CEL', Channel=chan)
    equal(cel.get('EventName'), 'MyEvent', 'CEL EventName')
    equal(cel.get('Extra'), '{"extra":"some extra"}', 'CEL Extra')
    equal(cel.get('Application'), 'CELGenUserEvent', 'CEL Application')

    # ChannelRedirect, then SoftHangup, of another channel.
    ami.originate('Local/310@apps', app='Wait', data='15')
    victim = ami.local_half('310', 'apps')
    ami.event('Newexten', Channel=victim, Application='Wait')  # GLOBAL(VICTIM) is set
    ami.originate('Local/311@apps', app='Wait', data='15')
    red = ami.local_half('311', 'apps')
    equal(ami.var(red, 'R_REDIRECT'), 'SUCCESS', 'CHANNELREDIRECT_STATUS')
    equal(ami.var(red, 'R_REDIRECT2'), 'NOCHANNEL', 'CHANNELREDIRECT_STATUS of a missing channel')
    equal(ami.var(victim, 'REDIRECTED'), 'yes', 'the redirected channel runs apps,312,1')
    ami.originate('Local/313@apps', app='Wait', data='15')
    hup = ami.event('Hangup', Channel=victim)
    check(hup.get('Cause') is not None, 'SoftHangup hung the victim up (cause %s)' % hup.get('Cause'))

    # StoreDTMF: digits the far end sends.
    ami.originate('Local/320@apps', app='SendDTMF', data='12#wwww')
    dt = ami.local_half('320', 'apps')
    ami.event('VarSet', 'DIGITS=12#', 15, Channel=dt, Variable='DIGITS', Value='12#')
    equal(ami.var(dt, 'R_STORED', timeout=15), '12#', 'StoreDTMF(RX) collected the digits')


def run_calls(d, ami):
    # BlindTransfer by the callee of a Dial: the caller's side goes to target@apps.
    ami.originate('Local/caller@apps', exten='dialer', context='apps')
    callee = ami.local_half('callee', 'apps')
    equal(ami.var(callee, 'BLINDTRANSFERSTATUS', timeout=15), 'SUCCESS', 'BLINDTRANSFERSTATUS')
    bt = ami.event('BlindTransfer', Result='Success')
    equal((bt.get('Context'), bt.get('Extension'), bt.get('IsExternal')), ('apps', 'target', 'Yes'),
          'AMI BlindTransfer context/extension/IsExternal')
    dialer = ami.local_half('caller', 'apps', half=1)
    equal(ami.var(dialer, 'TRANSFERRED'), 'yes', 'the transferee runs target@apps')
    # Transfer: the Local channel's driver sends the party bridged with its other half away.
    ami.originate('Local/caller2@apps', exten='dialer2', context='apps')
    refer = ami.local_half('refer', 'apps')
    equal(ami.var(refer, 'TRANSFERSTATUS', timeout=15), 'SUCCESS', 'TRANSFERSTATUS')
    equal(ami.var(refer, 'TRANSFERSTATUSPROTOCOL'), '0', 'TRANSFERSTATUSPROTOCOL')
    equal(ami.var(ami.local_half('caller2', 'apps', half=1), 'TRANSFERRED2'), 'yes', 'the transferred party runs target2')
    ami.originate('Local/alone@apps', app='Wait', data='10')
    alone = ami.local_half('alone', 'apps')
    equal(ami.var(alone, 'R_BLIND_ALONE'), 'INVALID', 'BlindTransfer of a channel in no bridge')

    # Pickup by group.
    ami.originate('Local/caller@apps', exten='ringme', context='apps')
    phone = ami.local_half('phone', 'apps', half=1)
    ami.event('Newexten', Channel=ami.local_half('phone', 'apps'), Application='Wait')
    ami.originate('Local/picker@apps', app='Wait', data='10')
    picker = ami.local_half('picker', 'apps')
    p = ami.event('Pickup', Channel=picker)
    equal(p.get('TargetChannel'), phone, 'Pickup event names the ringing leg')
    check(not ami.find(lambda e: e.get('Event') == 'VarSet' and e.get('Channel') == picker and
                       e.get('Variable') == 'R_PICKUP'), 'a picker that got the call does not continue')
    # Pickup by extension@context (the ringing leg carries the caller's extension), PickupChan.
    ami.originate('Local/caller@apps', exten='ringme2', context='apps')
    ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Application') == 'Wait' and
             e.get('Channel', '').startswith('Local/phone@apps-') and e.get('Channel') != ami.local_half('phone', 'apps')
             and e.get('Channel', '').endswith(';2'), 'the second phone rings')
    ami.originate('Local/extpicker@apps', app='Wait', data='10')
    ep = ami.local_half('extpicker', 'apps')
    ami.event('Pickup', Channel=ep)
    # PickupChan needs the third phone ringing: wait for it (a fixed 0.5 s raced a busy box).
    ringing = {e['Channel'] for e in ami.find(lambda e: e.get('Event') == 'Newexten' and
                                             e.get('Application') == 'Wait' and
                                             e.get('Channel', '').startswith('Local/phone@apps-'))}
    ami.originate('Local/caller@apps', exten='ringme2', context='apps')
    ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Application') == 'Wait' and
             e.get('Channel', '').startswith('Local/phone@apps-') and e.get('Channel', '').endswith(';2') and
             e.get('Channel') not in ringing, 'the third phone rings')
    ami.originate('Local/chanpicker@apps', app='Wait', data='10')
    cp = ami.local_half('chanpicker', 'apps')
    pc = ami.event('Pickup', Channel=cp)
    check(pc.get('TargetChannel', '').startswith('Local/phone@apps-'), 'PickupChan took a Local/phone leg')

    ami.originate('Local/nopick@apps', app='Wait', data='10')
    equal(ami.var(ami.local_half('nopick', 'apps'), 'R_NOPICK'), 'continued', 'Pickup of nothing continues')

    # Bridge into a holding bridge's participant; BridgeWait keywords case-insensitive.
    ami.originate('Local/bwait@apps', app='Wait', data='10')
    holder = ami.local_half('bwait', 'apps')
    ami.event('BridgeEnter', Channel=holder, BridgeName='myhold', BridgeTechnology='holding_bridge')
    ami.originate('Local/bridger@apps', app='Wait', data='2')
    bridger = ami.local_half('bridger', 'apps')
    enter = ami.event('BridgeEnter', Channel=bridger)
    ami.event('BridgeEnter', Channel=holder, BridgeUniqueid=enter['BridgeUniqueid'])
    equal(ami.var(bridger, 'BRIDGERESULT', timeout=10), 'SUCCESS', 'BRIDGERESULT after the bridge')
    ami.originate('Local/bridgeself@apps', app='Wait', data='10')
    bs = ami.local_half('bridgeself', 'apps')
    equal(ami.var(bs, 'R_BRIDGE_SELF'), 'LOOP', 'Bridge with itself')
    equal(ami.var(bs, 'R_BRIDGE_NONE'), 'NONEXISTENT', 'Bridge with a missing channel')


def run_access(d, ami):
    ami.originate('Local/auth@apps', app='SendDTMF', data='ww1234#wwwwww')
    equal(ami.var(ami.local_half('auth', 'apps'), 'AUTHED', timeout=15), 'yes', 'Authenticate accepted 1234')
    ami.originate('Local/disa@apps', app='SendDTMF', data='ww4321#w500#wwwwww')
    equal(ami.var(ami.local_half('disa', 'apps'), 'INSIDE', timeout=15), '500', 'DISA took 4321 then dialled 500')
    ami.originate('Local/privacy@apps', app='SendDTMF', data='www5551234567#wwwwww')
    equal(ami.var(ami.local_half('privacy', 'apps'), 'R_PRIVACY', timeout=20), 'SUCCESS/5551234567',
          'PrivacyManager took a number')
    ami.originate('Local/retry@apps', app='Wait', data='15')
    rc = ami.local_half('retry', 'apps')
    equal(ami.var(rc, 'R_RETRY', timeout=15), 'BUSY', 'RetryDial ends with the last DIALSTATUS')
    attempts = [e for e in ami.find(lambda e: e.get('Event') == 'Newexten' and e.get('Extension') == 'busy' and
                                    e.get('Application') == 'Busy')]
    equal(len(attempts), 2, 'RetryDial dialled twice')


def run_media(d, ami):
    ami.originate('Local/mfrx@apps', app='SendMF', data='*123#wwww')
    equal(ami.var(ami.local_half('mfrx', 'apps'), 'R_MF', timeout=15), '*123#/START', 'ReceiveMF of SendMF')
    ami.originate('Local/sfrx@apps', app='SendSF', data='304wwww,2600')
    equal(ami.var(ami.local_half('sfrx', 'apps'), 'R_SF', timeout=15), '304/START', 'ReceiveSF of SendSF')
    # The sender waits a second so the text arrives while ReceiveText listens.
    ami.originate('Local/textrx@apps', context='apps', exten='texttx')
    tr = ami.local_half('textrx', 'apps')
    equal(ami.var(tr, 'RECEIVETEXTMESSAGE', timeout=15), 'hello there', 'ReceiveText of SendText')
    equal(ami.var(tr, 'RECEIVETEXTSTATUS'), 'SUCCESS', 'RECEIVETEXTSTATUS')
    equal(ami.var(ami.local_half('textrx', 'apps', half=1), 'SENDTEXTSTATUS'), 'SUCCESS', 'SENDTEXTSTATUS')
    ami.originate('Local/readexten@apps', app='SendDTMF', data='ww500wwww')
    equal(ami.var(ami.local_half('readexten', 'apps'), 'R_READEXTEN', timeout=15), '500/OK',
          'ReadExten stopped at a complete extension')


def run_followme(d, ami):
    ami.originate('Local/start@fm', app='Wait', data='20')
    caller = ami.local_half('start', 'fm')
    callee = ami.local_half('700', 'fm', half=1)
    enter = ami.event('BridgeEnter', Channel=callee, timeout=15)
    joined = ami.event('BridgeEnter', 'the caller in the callee\'s bridge', Channel=caller,
                       BridgeUniqueid=enter['BridgeUniqueid'])
    equal(joined['BridgeUniqueid'], enter['BridgeUniqueid'], 'FollowMe bridged the caller with the callee who pressed 1')
    out = '\n'.join(ami.command('core show application FollowMe'))
    check('FollowMe(followmeid[,options])' in out, 'core show application FollowMe')


def main():
    files = {'extensions.conf': EXTENSIONS, 'followme.conf': FOLLOWME,
             'telephony.conf': '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\ndbdir => db\n'
                               'soundsdir => @WORK@/sounds\n'}
    with Daemon(files, prefix='telephonyd-breadth.') as d:
        quick_prompts(d.work)
        ami = d.ami()
        t0 = time.time()
        run_functions(d, ami)
        run_flow(d, ami)
        run_calls(d, ami)
        run_access(d, ami)
        run_media(d, ami)
        run_followme(d, ami)
        print('done in %.1f s' % (time.time() - t0))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except AssertionError as e:
        print('FAIL:', e, file=sys.stderr)
        sys.exit(1)
