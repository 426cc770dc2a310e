// Page() through the dialplan executor on Test/ devices: every device joins the page's ConfBridge
// conference muted and hears the caller, the caller hears nobody (unless `d`), own device and
// devices without '/' are skipped, `s` pages only NOT_INUSE devices, the timeout hangs up devices
// still ringing, b()/B() predial Gosubs, A(x)/n announcements, `r` records through the
// conference recorder, and the caller leaving hangs every device up. The conference itself
// (name, flags, events, kick/mute/unmute of paged phones): dialpage_page_conference_test.cpp.
#include <algorithm>
#include "dialpage_support.hpp"

#include "telephony/media/file_format.hpp"

using namespace dialpage_test;

TEST_F(DialPageFixture, PageDevicesListenMutedToTheCallerUntilTheCallerLeaves) {
  load("[c]\nexten => s,1,Page(Test/p1&Test/p2&Test/p3&bogus&Test/pager,q)\nsame => n,NoOp(not reached)\n"
       "exten => h,1,NoOp(h)\n");
  auto pager = call("c", "s", "pager");
  std::shared_ptr<Bridge> room;
  ASSERT_TRUE(eventually([&] { return (room = page_room(engine)) && room->members().size() == 4; }));
  // Own device and the one without '/' were never dialed.
  EXPECT_TRUE(eventually([&] { return dial_begins().size() >= 3; }));
  auto begins = dial_begins();  // legs are dialed in parallel: any order (docs/dial.md)
  std::sort(begins.begin(), begins.end());
  EXPECT_EQ(begins, (std::vector<std::string>{"p1", "p2", "p3"}));
  auto p1 = find("Test/p1-");
  ASSERT_TRUE(p1);
  feed({{pager, 440}, {p1, 1000}}, 30);
  for (auto d : {"p1", "p2", "p3"}) {
    auto pcm = heard(d);
    ASSERT_GE(pcm.size(), 2400u) << d;
    // Windows where each tone is strongest: a loaded machine may leave silent ticks anywhere.
    auto best = mediax_test::loudest_window(pcm, 2400, 8000, 440);
    EXPECT_NEAR(media::dominant_frequency(best, 8000), 440, 10) << d;
    EXPECT_GT(level_at(best, 440), -25) << d;
    EXPECT_LT(level_at(mediax_test::loudest_window(pcm, 2400, 8000, 1000), 1000), -60)
        << d << ": p1 is muted, nobody may hear it";
  }
  auto own = heard("pager");
  EXPECT_LT(level_at(mediax_test::loudest_window(own, 2400, 8000, 1000), 1000), -60) << "the caller hears no device";

  std::vector<std::string> names;
  for (auto d : {"Test/p1-", "Test/p2-", "Test/p3-"}) names.push_back(find(d)->name());
  pager->request_hangup();
  for (auto& n : names) EXPECT_TRUE(wait_gone(n)) << n;
  ASSERT_TRUE(wait_gone(pager->name()));
  EXPECT_EQ(join(trace(pager->name())), "[h]");
  EXPECT_TRUE(eventually([&] { return page_room(engine) == nullptr; }));
}

TEST_F(DialPageFixture, PageFullDuplexLetsTheDevicesBeHeard) {
  load("[c]\nexten => s,1,Page(Test/p1&Test/p2,dq)\n");
  auto pager = call("c", "s", "pager");
  std::shared_ptr<Bridge> room;
  ASSERT_TRUE(eventually([&] { return (room = page_room(engine)) && room->members().size() == 3; }));
  feed({{pager, 440}, {find("Test/p1-"), 1000}}, 30);
  const auto own = heard("pager");
  EXPECT_GT(level_at(mediax_test::loudest_window(own, 2400, 8000, 1000), 1000), -25);
  const auto p2 = heard("p2");
  EXPECT_GT(level_at(mediax_test::loudest_window(p2, 2400, 8000, 1000), 1000), -25);
  EXPECT_GT(level_at(mediax_test::loudest_window(p2, 2400, 8000, 440), 440), -25);
  pager->request_hangup();
  ASSERT_TRUE(wait_gone(pager->name()));
}

TEST_F(DialPageFixture, PageOnlyIdleDevicesAndTimeoutHangsUpTheUnanswered) {
  driver->set_state("p2", DeviceState::InUse);
  set_on_call("p3", [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); });
  load("[c]\nexten => s,1,Page(Test/p1&Test/p2&Test/p3,sq,0.4)\n");
  auto pager = call("c", "s", "pager");
  auto p3 = wait_channel("Test/p3-");
  ASSERT_TRUE(p3);
  ASSERT_TRUE(wait_gone(p3->name()));
  EXPECT_EQ(hangup_cause_of("Test/p3-"), HangupCause::NoAnswer);
  EXPECT_EQ(dial_ends()["Test/p3"], "NOANSWER");
  auto begins = dial_begins();  // p2 is in use; the others in any order
  std::sort(begins.begin(), begins.end());
  EXPECT_EQ(begins, (std::vector<std::string>{"p1", "p3"}));
  // The page itself goes on with p1.
  std::shared_ptr<Bridge> room;
  ASSERT_TRUE(eventually([&] { return (room = page_room(engine)) && room->members().size() == 2; }));
  auto p1 = find("Test/p1-");
  pager->request_hangup();
  ASSERT_TRUE(wait_gone(p1->name()));
}

TEST_F(DialPageFixture, PagePredialGosubsAndAnnouncement) {
  testkit::TempDir dir;
  {
    auto w = media::AudioFileWriter::create(dir.path() / "ann.wav", media::Format::slin(8000));
    ASSERT_TRUE(w);
    auto tone = media_test::sine(8000, 1000, 8000 / 2);
    ASSERT_TRUE(w->write(tone));
    ASSERT_TRUE(w->close());
  }
  const std::string ann = (dir.path() / "ann").string();
  load("[c]\nexten => s,1,Page(Test/p1&Test/p2,qnb(pre^s^1(device))B(pre^s^1(caller))A(" + ann + "))\n"
       "exten => t,1,Page(Test/p3,qA(" + ann + "))\n"
       "[pre]\nexten => s,1,Set(PRE=${ARG1})\nsame => n,Return()\n");
  auto pager = call("c", "s", "pager");
  std::shared_ptr<Bridge> room;
  ASSERT_TRUE(eventually([&] { return (room = page_room(engine)) && room->members().size() == 3; }));
  EXPECT_EQ(var_set("Test/p1-", "PRE").value_or(""), "device");
  EXPECT_EQ(var_set("Test/p2-", "PRE").value_or(""), "device");
  EXPECT_EQ(var_set("Test/pager-", "PRE").value_or(""), "caller");
  // Each device heard the announcement (0.5 s of 1 kHz) before the room; n: the caller did not.
  for (auto d : {"p1", "p2"}) {
    auto pcm = heard(d);
    ASSERT_GE(pcm.size(), 4000u) << d;
    EXPECT_NEAR(media::dominant_frequency(std::span<const std::int16_t>(pcm).first(3200), 8000), 1000, 10) << d;
  }
  EXPECT_LT(level_at(heard("pager"), 1000), -60);
  pager->request_hangup();
  ASSERT_TRUE(wait_gone(pager->name()));

  // Without n the caller hears it too.
  auto pager2 = call("c", "t", "pager2");
  ASSERT_TRUE(eventually([&] { return heard("pager2").size() >= 4000; }));
  EXPECT_NEAR(media::dominant_frequency(std::span<const std::int16_t>(heard("pager2")).first(3200), 8000), 1000, 10);
  pager2->request_hangup();
  ASSERT_TRUE(wait_gone(pager2->name()));
}

TEST_F(DialPageFixture, PageRecordsTheRoom) {
  load("[c]\nexten => s,1,Page(Test/p1,qr)\n");
  auto pager = call("c", "s", "pager");
  std::shared_ptr<Bridge> room;
  ASSERT_TRUE(eventually([&] { return (room = page_room(engine)) && room->members().size() == 3; }));
  auto file = pager->variable("PAGE_RECORDING_FILE");
  ASSERT_TRUE(file);
  feed({{pager, 440}}, 30);
  pager->request_hangup();
  ASSERT_TRUE(wait_gone(pager->name()));
  ASSERT_TRUE(eventually([&] { return !find("CBRec/"); }));
  auto reader = media::AudioFileReader::open(*file);
  ASSERT_TRUE(reader) << *file;
  std::vector<std::int16_t> pcm;
  for (auto s = reader->read_slin(); !s.empty(); s = reader->read_slin()) pcm.insert(pcm.end(), s.begin(), s.end());
  ASSERT_GE(pcm.size(), 2400u);
  EXPECT_NEAR(media::dominant_frequency(mediax_test::loudest_window(pcm, 2400, 8000, 440), 8000), 440, 10);
  EXPECT_EQ(std::filesystem::path(*file).parent_path(), recordings.path());
}
