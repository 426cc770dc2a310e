// AGI() with real child processes (bash scripts): the environment block, replies of the channel,
// variable and database commands, 510/511/520, AGISTATUS, the location a script sets, EXEC and
// GOSUB, dead mode in `h` and after a hangup, and the console commands.
#include "agi_test_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/core_commands.hpp"

using namespace agi_test;

TEST_F(Agi, EnvironmentAndChannelCommands) {
  script("basic.sh", R"(cmd 'ANSWER'
cmd 'CHANNEL STATUS'
cmd 'SET VARIABLE FOO "bar baz"'
cmd 'GET VARIABLE FOO'
cmd 'GET VARIABLE NOPE'
cmd 'GET VARIABLE LEN(abcd)'
cmd 'GET FULL VARIABLE "${FOO}-${EXTEN}"'
cmd 'get variable FOO'
cmd 'BOGUS COMMAND'
cmd 'STREAM FILE'
cmd 'NOOP'
cmd 'VERBOSE "hello from the script" 1'
cmd 'SET CALLERID "Agent Smith <(555) 123-4567>"'
cmd 'CHANNEL STATUS Test/nobody'
cmd 'TDD MODE on'
cmd 'SEND IMAGE logo'
cmd 'SPEECH CREATE lumenvox'
cmd 'SPEECH SET a'
cmd 'SET MUSIC on'
cmd 'SET MUSIC off')");
  load("[agi]\nexten => 100,1,NoOp(start)\nsame => n,AGI(basic.sh,one,two words)\n"
       "same => n,NoOp(${AGISTATUS} ${FOO} ${CALLERID(name)}/${CALLERID(num)})\n");
  auto chan = call("agi", "100", "env", {}, false, CallerId{"2000", "Alice", 0});
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[start][SUCCESS bar baz Agent Smith/5551234567]");
  auto env = lines("env.txt");
  auto has = [&](const std::string& l) { return std::find(env.begin(), env.end(), l) != env.end(); };
  EXPECT_EQ(env.front(), "agi_request: basic.sh");
  EXPECT_TRUE(has("agi_channel: " + chan->name()));
  EXPECT_TRUE(has("agi_type: Test"));
  EXPECT_TRUE(has("agi_uniqueid: " + chan->uniqueid()));
  EXPECT_TRUE(has("agi_callerid: 2000"));
  EXPECT_TRUE(has("agi_calleridname: Alice"));
  EXPECT_TRUE(has("agi_context: agi"));
  EXPECT_TRUE(has("agi_extension: 100"));
  EXPECT_TRUE(has("agi_priority: 2"));
  EXPECT_TRUE(has("agi_enhanced: 0.0"));
  EXPECT_TRUE(has("agi_arg_1: one"));
  EXPECT_TRUE(has("agi_arg_2: two words"));
  EXPECT_TRUE(has("agi_dnid: unknown"));
  const std::string out = log_text();
  EXPECT_NE(out.find("ANSWER => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("CHANNEL STATUS => 200 result=6\n"), std::string::npos) << out;
  EXPECT_NE(out.find("SET VARIABLE FOO \"bar baz\" => 200 result=1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GET VARIABLE FOO => 200 result=1 (bar baz)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GET VARIABLE NOPE => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GET VARIABLE LEN(abcd) => 200 result=1 (4)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GET FULL VARIABLE \"${FOO}-${EXTEN}\" => 200 result=1 (bar baz-100)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("get variable FOO => 200 result=1 (bar baz)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("BOGUS COMMAND => 510 Invalid or unknown command\n"), std::string::npos) << out;
  EXPECT_NE(out.find("STREAM FILE => 520-Invalid command syntax.  Proper usage follows:| Usage: STREAM FILE FILENAME "
                     "ESCAPE_DIGITS [SAMPLE OFFSET]"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("|520 End of proper usage.\nNOOP => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("VERBOSE \"hello from the script\" 1 => 200 result=1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("CHANNEL STATUS Test/nobody => 200 result=-1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("TDD MODE on => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("SEND IMAGE logo => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("SPEECH CREATE lumenvox => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("SPEECH SET a => 520-"), std::string::npos) << out;
  EXPECT_NE(out.find("SET MUSIC off => 200 result=0\n"), std::string::npos) << out;
  // Every command is reported: AGIExecStart then AGIExecEnd with the result code.
  std::vector<std::string> ends;
  for (auto& e : log->events())
    if (auto* x = e->as<agi::AgiExecEnded>(); x && x->channel.name == chan->name())
      ends.push_back(std::to_string(x->result_code) + " " + x->result);
  ASSERT_EQ(ends.size(), 20u);
  EXPECT_EQ(ends[0], "200 Success");
  EXPECT_EQ(ends[8], "510 Invalid or unknown command");
  EXPECT_EQ(ends[9], "520 Usage");
}

TEST_F(Agi, StatusValuesForMissingFailingAndBrokenScripts) {
  script("ok.sh", "cmd NOOP");
  script("fails.sh", "cmd NOOP\nexit 3");
  testkit::write_file(dir / "noexec.sh", "#!/bin/bash\n");  // not executable
  load("[agi]\n"
       "exten => ok,1,AGI(ok.sh)\nsame => n,NoOp(${AGISTATUS})\n"
       "exten => missing,1,AGI(nothing-here.agi)\nsame => n,NoOp(${AGISTATUS})\n"
       "exten => fails,1,AGI(fails.sh)\nsame => n,NoOp(${AGISTATUS})\n"
       "exten => noexec,1,AGI(noexec.sh)\nsame => n,NoOp(${AGISTATUS})\n"
       "exten => srv,1,AGI(hagi://agi.example.com/x)\nsame => n,NoOp(${AGISTATUS})\n"
       "exten => empty,1,AGI()\nsame => n,NoOp(not reached)\n");
  const std::pair<const char*, const char*> cases[] = {
      {"ok", "[SUCCESS]"}, {"missing", "[NOTFOUND]"}, {"fails", "[FAILURE]"}, {"noexec", "[FAILURE]"},
      {"srv", "[FAILURE]"}, {"empty", ""}};
  for (const auto& [exten, want] : cases) {
    auto chan = call("agi", exten, std::string("st-") + exten);
    ASSERT_TRUE(wait_gone(chan)) << exten;
    EXPECT_EQ(join(trace(chan)), want) << exten;
  }
}

TEST_F(Agi, SetContextExtensionPriorityChooseWhereTheDialplanContinues) {
  script("route.sh", "cmd 'SET CONTEXT there'\ncmd 'SET EXTENSION 200'\ncmd 'SET PRIORITY 2'");
  script("label.sh", "cmd 'SET CONTEXT there'\ncmd 'SET EXTENSION 200'\ncmd 'SET PRIORITY target'\n"
                     "cmd 'SET PRIORITY nolabel'");
  script("ctxonly.sh", "cmd 'SET CONTEXT there'\ncmd 'SET EXTENSION 300'");
  load("[agi]\nexten => 1,1,AGI(route.sh)\nsame => n,NoOp(not here)\n"
       "exten => 2,1,AGI(label.sh)\nsame => n,NoOp(not here)\n"
       "exten => 3,1,NoOp(a)\nsame => n,AGI(ctxonly.sh)\nsame => n,NoOp(not here)\n"
       "[there]\nexten => 200,1,NoOp(200-1)\nsame => n,NoOp(200-2)\nsame => n(target),NoOp(200-3)\n"
       "exten => 300,1,NoOp(300-1)\nsame => n,NoOp(300-2)\nsame => n,NoOp(300-3)\nsame => n,NoOp(300-4)\n");
  auto c1 = call("agi", "1", "loc1");
  ASSERT_TRUE(wait_gone(c1));
  EXPECT_EQ(join(trace(c1)), "[200-2][200-3]");
  auto c2 = call("agi", "2", "loc2");
  ASSERT_TRUE(wait_gone(c2));
  EXPECT_EQ(join(trace(c2)), "[200-3]");
  EXPECT_NE(log_text().find("SET PRIORITY nolabel => 520-"), std::string::npos);
  // Without SET PRIORITY the priority after the AGI's own runs, as in Asterisk (2 + 1).
  auto c3 = call("agi", "3", "loc3");
  ASSERT_TRUE(wait_gone(c3));
  EXPECT_EQ(join(trace(c3)), "[a][300-3][300-4]");
}

TEST_F(Agi, ExecGosubAndDatabase) {
  engine.astdb().put("agitest", "gone", "x").value();
  script("exec.sh", R"(cmd 'EXEC Set "A=1"'
cmd 'EXEC NoOp "from exec"'
cmd 'EXEC NoSuchApp x'
cmd 'GOSUB sub s 1 "p1,p2"'
cmd 'GET VARIABLE GOSUB_RETVAL'
cmd 'GET VARIABLE SUBSAW'
cmd 'GOSUB sub s nolabel'
cmd 'DATABASE PUT agitest k "v 1"'
cmd 'DATABASE GET agitest k'
cmd 'DATABASE GET agitest missing'
cmd 'DATABASE DEL agitest k'
cmd 'DATABASE DEL agitest k'
cmd 'DATABASE DELTREE agitest'
cmd 'DATABASE DELTREE agitest')");
  load("[agi]\nexten => 100,1,AGI(exec.sh)\nsame => n,NoOp(after ${A} ${AGISTATUS})\n"
       "[sub]\nexten => s,1,NoOp(sub ${ARG1} ${ARG2})\nsame => n,Set(SUBSAW=${ARG2})\nsame => n,Return(rv)\n");
  auto chan = call("agi", "100", "exec");
  ASSERT_TRUE(wait_gone(chan));
  // The GOSUB to a missing label fails the command (RESULT_FAILURE in Asterisk): AGISTATUS=FAILURE.
  EXPECT_EQ(join(trace(chan)), "[from exec][sub p1 p2][after 1 FAILURE]");
  const std::string out = log_text();
  EXPECT_NE(out.find("EXEC Set \"A=1\" => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("EXEC NoSuchApp x => 200 result=-2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GOSUB sub s 1 \"p1,p2\" => 100 result=0 Trying...|200 result=0 Gosub complete\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("GET VARIABLE GOSUB_RETVAL => 200 result=1 (rv)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GET VARIABLE SUBSAW => 200 result=1 (p2)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GOSUB sub s nolabel => 200 result=-1 Gosub label not found\n"), std::string::npos) << out;
  EXPECT_NE(out.find("DATABASE PUT agitest k \"v 1\" => 200 result=1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("DATABASE GET agitest k => 200 result=1 (v 1)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("DATABASE GET agitest missing => 200 result=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("DATABASE DEL agitest k => 200 result=1\nDATABASE DEL agitest k => 200 result=0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("DATABASE DELTREE agitest => 200 result=1\nDATABASE DELTREE agitest => 200 result=0\n"),
            std::string::npos)
      << out;
  EXPECT_FALSE(*engine.astdb().get("agitest", "gone"));
}

TEST_F(Agi, DeadModeInTheHangupExtension) {
  script("dead.sh", "cmd 'ANSWER'\ncmd 'STREAM FILE beep \"\"'\ncmd 'SET VARIABLE X 1'\ncmd 'GET VARIABLE X'\n"
                    "cmd 'NOOP'\ncmd 'VERBOSE dead 1'");
  load("[agi]\nexten => 100,1,Hangup()\nexten => h,1,AGI(dead.sh)\nsame => n,NoOp(h ${AGISTATUS} ${X})\n");
  auto chan = call("agi", "100", "dead");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[h SUCCESS 1]");
  const std::string out = log_text();
  EXPECT_NE(out.find("ANSWER => 511 Command Not Permitted on a dead channel or intercept routine\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("STREAM FILE beep \"\" => 511 "), std::string::npos) << out;
  EXPECT_NE(out.find("GET VARIABLE X => 200 result=1 (1)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("VERBOSE dead 1 => 200 result=1\n"), std::string::npos) << out;
}

TEST_F(Agi, HangupDuringTheScriptSendsSighupAndGoesDead) {
  // A careful script catches SIGHUP (Python restarts the interrupted read after the handler) and
  // goes on with the commands a dead channel still allows.
  const auto path = dir / "hup.py";
  testkit::write_file(path, "#!/usr/bin/python3\nimport signal, sys\nDIR = '" + dir.path().string() + R"('
signal.signal(signal.SIGHUP, lambda *a: open(DIR + '/signals.txt', 'a').write('SIGHUP\n'))
while sys.stdin.readline().strip():
    pass
log = open(DIR + '/log.txt', 'a')
for cmd in ['WAIT FOR DIGIT -1', 'ANSWER', 'SET VARIABLE AFTER yes', 'NOOP']:
    sys.stdout.write(cmd + '\n')
    sys.stdout.flush()
    log.write(cmd + ' => ' + sys.stdin.readline())
    log.flush()
)");
  ::chmod(path.c_str(), 0755);
  load("[agi]\nexten => 100,1,Answer()\nsame => n,AGI(hup.py)\nsame => n,NoOp(not reached)\n"
       "exten => h,1,NoOp(h ${AGISTATUS} ${AFTER})\n");
  auto chan = call("agi", "100", "hup");
  ASSERT_TRUE(command_started(chan, "WAIT FOR DIGIT"));
  chan->request_hangup();
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[h HANGUP yes]");
  const std::string out = log_text();
  EXPECT_NE(out.find("WAIT FOR DIGIT -1 => 200 result=-1\nANSWER => 511 "), std::string::npos) << out;
  EXPECT_NE(out.find("NOOP => 200 result=0\n"), std::string::npos) << out;
  EXPECT_TRUE(testkit::eventually([&] { return testkit::read_file(dir / "signals.txt").find("SIGHUP") != std::string::npos; }));
}

TEST_F(Agi, ExitOnHangupAndNoSighup) {
  script("linger.sh", "cmd 'WAIT FOR DIGIT -1'\nsleep 0.3\ncmd 'NOOP'");
  load("[agi]\nexten => 100,1,Answer()\nsame => n,Set(AGIEXITONHANGUP=yes)\nsame => n,Set(AGISIGHUP=no)\n"
       "same => n,AGI(linger.sh)\nexten => h,1,NoOp(h ${AGISTATUS})\n");
  auto chan = call("agi", "100", "linger");
  ASSERT_TRUE(command_started(chan, "WAIT FOR DIGIT"));
  const auto t0 = std::chrono::steady_clock::now();
  chan->request_hangup();
  ASSERT_TRUE(wait_gone(chan));
  // The AGI ended at the hangup, without waiting for the script's next command.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 250ms);
  EXPECT_EQ(join(trace(chan)), "[h HANGUP]");
}

TEST_F(Agi, ConsoleListsCommandsTopicsAndDebug) {
  auto list = engine.commands().execute("agi show commands");
  EXPECT_EQ(list.status, 0);
  EXPECT_NE(list.output.find(" Dead                        Command   Description\n"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("   No                    STREAM FILE   Sends audio file on channel.\n"), std::string::npos)
      << list.output;
  EXPECT_NE(list.output.find("  Yes                   GET VARIABLE   Gets a channel variable.\n"), std::string::npos);
  auto topic = engine.commands().execute("agi show commands topic stream file");
  EXPECT_EQ(topic.status, 0);
  EXPECT_NE(topic.output.find("-= Info about AGI 'stream file' =-"), std::string::npos) << topic.output;
  EXPECT_NE(topic.output.find("[Syntax]\nSTREAM FILE FILENAME ESCAPE_DIGITS [SAMPLE OFFSET]\n"), std::string::npos);
  EXPECT_NE(topic.output.find("[Runs Dead]\nNo\n"), std::string::npos);
  auto prefix = engine.commands().execute("agi show commands topic database");
  EXPECT_NE(prefix.output.find("DATABASE DELTREE"), std::string::npos) << prefix.output;
  EXPECT_EQ(engine.commands().execute("agi show commands topic frobnicate").output, "No such command 'frobnicate'.\n");
  EXPECT_EQ(engine.commands().execute("agi show commands bogus").status, 2);
  EXPECT_EQ(engine.commands().execute("agi set debug on").output, "AGI Debugging Enabled\n");
  EXPECT_EQ(engine.commands().execute("agi set debug off").output, "AGI Debugging Disabled\n");
  EXPECT_EQ(engine.commands().execute("agi set debug maybe").status, 2);
  EXPECT_EQ(engine.commands().execute("agi exec Test/none NOOP").output, "Channel Test/none does not exist.\n");
  register_core_commands(engine);  // `core show application` (telephonyd registers it at start)
  auto doc = engine.commands().execute("core show application AGI");
  EXPECT_NE(doc.output.find("AGISTATUS"), std::string::npos) << doc.output;
}
