// CallFileSpooler against a real temporary spool directory. The test Dialer decides by the
// Channel: Test/answer answers, Test/busy is busy, Test/hold keeps `done` for the test to call.
#include "telephony/spool/spooler.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool_test_support.hpp"
#include "testkit/testkit.hpp"

using namespace std::chrono_literals;
using telephony::spool::CallFileSpooler;
using telephony::spool::DialReason;
using telephony::testkit::read_file;
using telephony::testkit::TempDir;
using telephony::testkit::write_file;
namespace fs = std::filesystem;
namespace st = telephony::spool::test;

TEST(Spooler, FileMovedInIsDialedOnceAndDeleted) {
  st::Fixture f;
  f.start();
  f.drop("a.call", "Channel: Test/answer\nApplication: Echo\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  EXPECT_EQ(f.dialed("a.call"), std::vector<int>{1});
  EXPECT_FALSE(fs::exists(f.outgoing() / "a.call"));
  EXPECT_FALSE(fs::exists(f.work() / "a.call"));
  EXPECT_FALSE(fs::exists(f.done() / "a.call"));  // Archive defaults to no
  EXPECT_TRUE(f.stats().inotify);
}

TEST(Spooler, FileWrittenInPlaceIsDialedAfterClose) {
  st::Fixture f;
  f.start();
  ASSERT_TRUE(f.run_until([&] { return f.stats().inotify; }));
  {
    std::FILE* fp = std::fopen((f.outgoing() / "inplace.call").c_str(), "w");
    ASSERT_NE(fp, nullptr);
    std::fputs("Channel: Test/answer\n", fp);
    std::fflush(fp);
    f.run_for(100ms);  // half-written: IN_CREATE/IN_MODIFY must not make it dialed
    EXPECT_TRUE(f.dialed("inplace.call").empty());
    std::fputs("Application: Echo\n", fp);
    std::fclose(fp);
  }
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  EXPECT_EQ(f.dialed("inplace.call"), std::vector<int>{1});
  EXPECT_EQ(f.stats().failed, 0u);
}

TEST(Spooler, FilesPresentAtStartAreDialedAndDotfilesIgnored) {
  st::Fixture f;
  fs::create_directories(f.outgoing());
  write_file(f.outgoing() / "one.call", "Channel: Test/answer\nApplication: Echo\n");
  write_file(f.outgoing() / "two.call", "Channel: Test/answer\nExtension: 100\n");
  write_file(f.outgoing() / ".partial.call", "Channel: Test/answer\nApplication: Echo\n");
  f.start();
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 2; }));
  f.run_for(50ms);
  EXPECT_EQ(f.dialed("one.call"), std::vector<int>{1});
  EXPECT_EQ(f.dialed("two.call"), std::vector<int>{1});
  EXPECT_TRUE(f.dialed(".partial.call").empty());
  EXPECT_TRUE(fs::exists(f.outgoing() / ".partial.call"));
}

TEST(Spooler, FutureMtimeIsHonoured) {
  st::Fixture f;
  f.start();
  auto due = std::chrono::system_clock::now() + 1200ms;
  f.drop("later.call", "Channel: Test/answer\nApplication: Echo\n", due);
  f.run_for(500ms);
  EXPECT_TRUE(f.dialed("later.call").empty());
  EXPECT_TRUE(fs::exists(f.outgoing() / "later.call"));
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  EXPECT_GE(std::chrono::system_clock::now(), due);
  EXPECT_EQ(f.dialed("later.call"), std::vector<int>{1});
}

TEST(Spooler, FailedAttemptAppendsRetryLinesAndPushesMtime) {
  st::Fixture f;
  f.start();
  f.drop("r.call", "Channel: Test/busy\nApplication: Echo\nMaxRetries: 1\nRetryTime: 30\n");
  auto before = std::chrono::system_clock::now();
  ASSERT_TRUE(f.run_until([&] { return f.stats().retries_scheduled == 1; }));
  ASSERT_TRUE(fs::exists(f.outgoing() / "r.call"));
  std::string text = read_file(f.outgoing() / "r.call");
  EXPECT_NE(text.find("StartRetry: " + std::to_string(::getpid()) + " 1 ("), std::string::npos)
      << text;
  EXPECT_NE(text.find("EndRetry: " + std::to_string(::getpid()) + " 1 ("), std::string::npos);
  auto mtime = st::mtime(f.outgoing() / "r.call");
  EXPECT_GE(mtime, before + 29s);
  EXPECT_LE(mtime, std::chrono::system_clock::now() + 31s);
  f.run_for(200ms);
  EXPECT_EQ(f.dialed("r.call"), std::vector<int>{1});  // not before RetryTime
}

TEST(Spooler, ExpiresAfterMaxRetriesPlusOneAndArchivesWithStatus) {
  st::Fixture f;
  f.start();
  f.drop("x.call",
         "Channel: Test/busy\nApplication: Echo\nMaxRetries: 2\nRetryTime: 1\nArchive: yes\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().expired == 1; }, 8s));
  EXPECT_EQ(f.dialed("x.call"), (std::vector<int>{1, 2, 3}));
  ASSERT_TRUE(fs::exists(f.done() / "x.call"));
  std::string text = read_file(f.done() / "x.call");
  EXPECT_EQ(st::count_lines(text, "StartRetry:"), 3);
  EXPECT_EQ(st::count_lines(text, "EndRetry:"), 3);
  EXPECT_NE(text.find("\nStatus: Expired\n"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(f.outgoing() / "x.call"));
}

TEST(Spooler, AnsweredIsArchivedAsCompleted) {
  st::Fixture f;
  f.start();
  f.drop("ok.call", "Channel: Test/answer\nApplication: Echo\nArchive: yes\nMaxRetries: 5\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  std::string text = read_file(f.done() / "ok.call");
  EXPECT_EQ(st::count_lines(text, "StartRetry:"), 1);
  EXPECT_EQ(st::count_lines(text, "EndRetry:"), 0);
  EXPECT_NE(text.find("\nStatus: Completed\n"), std::string::npos) << text;
}

TEST(Spooler, AlwaysDeleteNoKeepsFileWhoseMtimeDialplanPushedIntoTheFuture) {
  st::Fixture f;
  f.reuse_after = 1h;  // the test dialer plays dialplan: it pushes the work file's mtime
  f.start();
  f.drop("keep.call", "Channel: Test/answer\nApplication: Echo\nAlwaysDelete: no\n");
  f.drop("gone.call", "Channel: Test/answer\nApplication: Echo\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 2; }));
  ASSERT_TRUE(fs::exists(f.outgoing() / "keep.call"));
  EXPECT_GT(st::mtime(f.outgoing() / "keep.call"), std::chrono::system_clock::now() + 50min);
  EXPECT_FALSE(fs::exists(f.outgoing() / "gone.call"));
  EXPECT_EQ(f.stats().reused, 1u);
  f.run_for(200ms);
  EXPECT_EQ(f.dialed("keep.call"), std::vector<int>{1});  // waits for its new mtime
}

TEST(Spooler, UnparseableFileGoesToFailedWithReason) {
  st::Fixture f;
  f.start();
  f.drop("bad.call", "# no channel here\nApplication: Echo\n");
  f.drop("good.call", "Channel: Test/answer\nApplication: Echo\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().failed == 1 && f.stats().completed == 1; }));
  EXPECT_TRUE(f.dialed("bad.call").empty());
  ASSERT_TRUE(fs::exists(f.failed() / "bad.call"));
  std::string reason = read_file(f.failed() / "bad.call.reason");
  EXPECT_NE(reason.find("bad.call:2"), std::string::npos) << reason;
  EXPECT_NE(reason.find("Channel"), std::string::npos) << reason;
  EXPECT_NE(read_file(f.failed() / "bad.call").find("Application: Echo"), std::string::npos);
}

TEST(Spooler, TwinArrivingWhileInFlightIsRefused) {
  st::Fixture f;
  f.start();
  f.drop("twin.call", "Channel: Test/hold\nApplication: Echo\nArchive: yes\n");
  ASSERT_TRUE(f.run_until([&] { return f.held.size() == 1; }));
  f.drop("twin.call", "Channel: Test/answer\nApplication: Playback\nData: second\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().twins_refused == 1; }));
  ASSERT_TRUE(fs::exists(f.failed() / "twin.call"));
  EXPECT_NE(read_file(f.failed() / "twin.call").find("Data: second"), std::string::npos);
  EXPECT_NE(read_file(f.failed() / "twin.call.reason").find("being dialed"), std::string::npos);
  f.release("twin.call", DialReason::Answered);
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  EXPECT_EQ(f.dialed("twin.call"), std::vector<int>{1});
  EXPECT_NE(read_file(f.done() / "twin.call").find("Application: Echo"), std::string::npos);
}

TEST(Spooler, ReclaimAfterCrashRedialsInterruptedButNeverFinishedFiles) {
  TempDir dir("spool-crash");
  boost::asio::io_context io;
  std::vector<std::function<void(DialReason)>> lost_dones;
  {
    telephony::spool::SpoolerOptions o;
    o.spool_dir = dir.path();
    CallFileSpooler crashed(io, o, [&](const auto&, auto done) { lost_dones.push_back(done); });
    fs::create_directories(dir / "outgoing");
    write_file(dir / "outgoing/once.call", "Channel: Test/answer\nApplication: Echo\n");
    write_file(dir / "outgoing/again.call",
               "Channel: Test/answer\nApplication: Echo\nMaxRetries: 1\nRetryTime: 1\n");
    crashed.start();
    st::run_until(io, [&] { return lost_dones.size() == 2; });
    ASSERT_EQ(lost_dones.size(), 2u);
  }  // destroyed mid-dial: both files sit in outgoing_work with an open StartRetry
  ASSERT_TRUE(fs::exists(dir / "outgoing_work/once.call"));
  // A third file whose verdict was written but whose archive move was lost.
  write_file(dir / "outgoing_work/done.call",
             "Channel: Test/answer\nApplication: Echo\nArchive: yes\nStartRetry: 1 1 (1)\n"
             "Status: Completed\n");

  st::Fixture f(dir.path());
  f.start();
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 2; }, 5s));  // done.call was never dialed
  // Interrupted attempts have no outcome: dialed again as the same attempt, no retry used, even
  // for a file with MaxRetries 0.
  EXPECT_EQ(f.dialed("once.call"), std::vector<int>{1});
  EXPECT_EQ(f.dialed("again.call"), std::vector<int>{1});
  EXPECT_EQ(f.stats().expired, 0u);
  EXPECT_TRUE(f.dialed("done.call").empty());
  EXPECT_EQ(f.stats().reclaimed, 3u);
  EXPECT_NE(read_file(dir / "outgoing_done/done.call").find("Status: Completed"),
            std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir / "outgoing_work"));
  EXPECT_TRUE(fs::is_empty(dir / "outgoing"));
  lost_dones.clear();  // drop the crashed spooler's state before its io_context goes
}

TEST(Spooler, PollingWhenInotifyIsOff) {
  st::Fixture f;
  f.options.use_inotify = false;
  f.options.poll_interval = 50ms;
  f.start();
  f.run_for(20ms);  // the start-up scan is over: the file below must be found by polling
  f.drop("p.call", "Channel: Test/answer\nApplication: Echo\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  EXPECT_FALSE(f.stats().inotify);
  EXPECT_EQ(f.dialed("p.call"), std::vector<int>{1});
  EXPECT_GE(f.stats().rescans, 2u);
}

TEST(Spooler, DoneFromAnotherThreadIsAccepted) {
  st::Fixture f;
  f.start();
  f.drop("t.call", "Channel: Test/hold\nApplication: Echo\nArchive: yes\n");
  ASSERT_TRUE(f.run_until([&] { return f.held.size() == 1; }));
  std::thread([done = f.held.at("t.call")] {
    done(DialReason::Answered);
    done(DialReason::Busy);  // a second call is ignored
  }).join();
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  f.run_for(50ms);
  EXPECT_EQ(f.stats().retries_scheduled, 0u);
  EXPECT_TRUE(fs::exists(f.done() / "t.call"));
}

TEST(Spooler, BurstOfTenThousandIsDialedExactlyOnceEach) {
  st::Fixture f;
  f.options.max_in_flight = 1000;
  f.start();
  f.run_for(10ms);
  constexpr int kFiles = 10000;
  std::thread writer([&] {
    for (int i = 0; i < kFiles; ++i)
      st::drop_file(f.outgoing(), "burst-" + std::to_string(i) + ".call",
                    "Channel: Test/answer\nApplication: Echo\n");
  });
  bool ok = f.run_until([&] { return f.stats().completed == kFiles; }, 60s);
  writer.join();
  f.run_for(100ms);
  ASSERT_TRUE(ok) << "completed " << f.stats().completed;
  EXPECT_EQ(f.calls.size(), static_cast<std::size_t>(kFiles));
  std::map<std::string, int> per_file;
  for (const auto& c : f.calls) ++per_file[c.first];
  EXPECT_EQ(per_file.size(), static_cast<std::size_t>(kFiles));
  for (const auto& [name, n] : per_file) ASSERT_EQ(n, 1) << name;
  EXPECT_TRUE(fs::is_empty(f.outgoing()));
  EXPECT_TRUE(fs::is_empty(f.work()));
}

TEST(Spooler, InFlightIsBounded) {
  st::Fixture f;
  f.options.max_in_flight = 3;
  fs::create_directories(f.outgoing());
  for (int i = 0; i < 10; ++i)
    write_file(f.outgoing() / ("h" + std::to_string(i) + ".call"),
               "Channel: Test/hold\nApplication: Echo\n");
  f.start();
  ASSERT_TRUE(f.run_until([&] { return f.held.size() == 3; }));
  f.run_for(100ms);
  EXPECT_EQ(f.held.size(), 3u);
  EXPECT_EQ(f.stats().in_flight, 3u);
  EXPECT_EQ(f.stats().waiting, 7u);
  while (f.stats().completed < 10) {
    auto held = std::move(f.held);
    f.held.clear();
    ASSERT_FALSE(held.empty());
    for (auto& [name, done] : held) done(DialReason::Answered);
    f.run_until([&] { return f.held.size() == 3 || f.held.size() + f.stats().completed == 10; });
    EXPECT_LE(f.held.size(), 3u);
  }
  EXPECT_EQ(f.calls.size(), 10u);
}

// More events than the kernel queues (fs.inotify.max_queued_events, 16384 by default) while the
// spooler is not reading: the kernel drops events and says so with IN_Q_OVERFLOW. This is where
// Asterisk forgets files; the spooler rescans the directory instead.
TEST(Spooler, InotifyOverflowTriggersRescanAndNothingIsForgotten) {
  st::Fixture f;
  f.start();
  ASSERT_TRUE(f.run_until([&] { return f.stats().inotify; }));
  constexpr int kFiles = 16500;
  for (int i = 0; i < kFiles; ++i)
    write_file(f.outgoing() / ("o" + std::to_string(i) + ".call"),
               "Channel: Test/answer\nApplication: Echo\n");
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == kFiles; }, 90s))
      << "completed " << f.stats().completed;
  EXPECT_EQ(f.calls.size(), static_cast<std::size_t>(kFiles));
  EXPECT_GE(f.stats().rescans, 2u);
  EXPECT_TRUE(fs::is_empty(f.outgoing()));
}

// The real thing: a spooler process killed with SIGKILL while one call is ringing and another
// has been answered. The restarted spooler must not redial the answered one and must dial the
// interrupted one again without using up a retry.
TEST(Spooler, SurvivesKillDashNine) {
  TempDir dir("spool-kill9");
  fs::create_directories(dir / "outgoing");
  write_file(dir / "outgoing/ringing.call",
             "Channel: Test/hold\nApplication: Echo\nMaxRetries: 0\nRetryTime: 1\n");
  write_file(dir / "outgoing/answered.call",
             "Channel: Test/answer\nApplication: Echo\nMaxRetries: 3\nArchive: yes\n");
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    boost::asio::io_context io;
    telephony::spool::SpoolerOptions o;
    o.spool_dir = dir.path();
    std::vector<std::function<void(DialReason)>> ringing;
    CallFileSpooler s(io, o, [&](const telephony::spool::DialAttempt& a, auto done) {
      if (a.file.channel == "Test/hold")
        ringing.push_back(std::move(done));
      else
        done(DialReason::Answered);
    });
    s.start();
    io.run_for(30s);
    ::_exit(0);
  }
  // Wait until the ringing call is in flight and the answered one has its verdict on disk.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline &&
         !(fs::exists(dir / "outgoing_work/ringing.call") &&
           fs::exists(dir / "outgoing_done/answered.call")))
    std::this_thread::sleep_for(5ms);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(fs::exists(dir / "outgoing_work/ringing.call"));

  st::Fixture f(dir.path());
  f.start();
  ASSERT_TRUE(f.run_until([&] { return f.held.count("ringing.call") == 1; }, 5s));
  EXPECT_EQ(f.dialed("ringing.call"), std::vector<int>{1});  // attempt 1 died with the process: again
  std::string ringing = read_file(dir / "outgoing_work/ringing.call");
  EXPECT_EQ(st::count_lines(ringing, "AbortRetry: " + std::to_string(::getpid()) + " 1 "), 1)
      << ringing;
  f.release("ringing.call", DialReason::Answered);
  ASSERT_TRUE(f.run_until([&] { return f.stats().completed == 1; }));
  f.run_for(50ms);
  EXPECT_TRUE(f.dialed("answered.call").empty());
  std::string text = read_file(dir / "outgoing_done/answered.call");
  EXPECT_EQ(st::count_lines(text, "Status: Completed"), 1);
  EXPECT_EQ(st::count_lines(text, "StartRetry:"), 1);
}

TEST(Spooler, WaitingFileTouchedIntoTheFutureIsNotDialedEarly) {
  st::Fixture f;
  f.start();
  auto first_due = std::chrono::system_clock::now() + 300ms;
  f.drop("moved.call", "Channel: Test/answer\nApplication: Echo\n", first_due);
  f.run_for(100ms);
  st::set_mtime(f.outgoing() / "moved.call", std::chrono::system_clock::now() + 1h);
  f.run_for(500ms);
  EXPECT_TRUE(f.dialed("moved.call").empty());
  EXPECT_TRUE(fs::exists(f.outgoing() / "moved.call"));
}

TEST(Spooler, StopLeavesNewFilesAloneButFinishesTheCallInFlight) {
  st::Fixture f;
  f.start();
  f.drop("inflight.call", "Channel: Test/hold\nApplication: Echo\nArchive: yes\n");
  ASSERT_TRUE(f.run_until([&] { return f.held.size() == 1; }));
  f.spooler->stop();
  f.run_for(20ms);
  f.drop("after.call", "Channel: Test/answer\nApplication: Echo\n");
  f.release("inflight.call", DialReason::Answered);
  f.run_for(200ms);
  EXPECT_TRUE(fs::exists(f.done() / "inflight.call"));
  EXPECT_TRUE(f.dialed("after.call").empty());
  EXPECT_TRUE(fs::exists(f.outgoing() / "after.call"));  // for the next start()
  EXPECT_FALSE(f.stats().inotify);
}
