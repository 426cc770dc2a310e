// Page() runs ConfBridge, as Asterisk's app_page does: the page is a conference named by a number,
// listed by `confbridge list` and the registry the Confbridge* AMI actions read, with the caller
// as its marked (admin) user and the paged phones quiet, end_marked and muted unless `d`; the
// Confbridge* events tell it; kick, mute and unmute work on paged phones. (The AMI actions on a
// page through telephonyd: tests/integration/test_page_confbridge_ami.py.)
#include <algorithm>

#include "dialpage_support.hpp"
#include "telephony/confbridge.hpp"

using namespace dialpage_test;

namespace {

struct PageConference : DialPageFixture {
  std::shared_ptr<confbridge::ConferenceRegistry> reg;
  std::string name;

  // Waits for the page's conference to hold `parties` users and remembers its name.
  bool wait_conference(std::size_t parties) {
    return eventually([&] {
      reg = confbridge::conference_registry(engine);
      if (!reg) return false;
      auto rooms = reg->rooms();
      if (rooms.size() != 1 || rooms[0].parties != parties) return false;
      name = rooms[0].name;
      return true;
    });
  }
  template <class E>
  std::vector<const E*> events_of() {
    std::vector<const E*> out;
    for (auto& e : log->events())
      if (auto* x = e->template as<E>()) out.push_back(x);
    return out;
  }
  std::string line_of(const std::string& text, const std::string& prefix) {
    std::size_t at = 0;
    while (at < text.size()) {
      auto end = text.find('\n', at);
      auto line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
      if (line.rfind(prefix, 0) == 0) return line;
      if (end == std::string::npos) break;
      at = end + 1;
    }
    return {};
  }
};

TEST_F(PageConference, IsAConfBridgeConferenceNamedByANumberWithAsterisksProfiles) {
  load("[c]\nexten => s,1,Page(Test/p1&Test/p2,q)\n");
  auto pager = call("c", "s", "pager");
  ASSERT_TRUE(wait_conference(3));
  EXPECT_FALSE(name.empty());
  EXPECT_EQ(name.find_first_not_of("0123456789"), std::string::npos) << "conference '" << name << "'";
  auto room = reg->room(name);
  ASSERT_TRUE(room);
  EXPECT_EQ(room->marked, 1u);
  EXPECT_EQ(room->admins, 1u);
  auto members = reg->members(name);
  ASSERT_TRUE(members);
  for (const auto& m : *members) {
    SCOPED_TRACE(m.channel.name);
    if (m.channel.name.rfind("Test/pager-", 0) == 0) {
      EXPECT_TRUE(m.marked);
      EXPECT_TRUE(m.admin);
      EXPECT_FALSE(m.muted);
      EXPECT_FALSE(m.end_marked);
    } else {
      EXPECT_TRUE(m.end_marked);
      EXPECT_TRUE(m.muted);
      EXPECT_FALSE(m.marked);
      EXPECT_FALSE(m.admin);
    }
  }

  // The console shows it like any conference, with each user's flags.
  auto list = engine.commands().execute("confbridge list");
  EXPECT_EQ(list.status, 0);
  EXPECT_NE(line_of(list.output, name).find(" 3 "), std::string::npos) << list.output;
  auto detail = engine.commands().execute("confbridge list " + name);
  EXPECT_EQ(detail.status, 0) << detail.output;
  EXPECT_NE(line_of(detail.output, "Test/pager-").find(" AM "), std::string::npos) << detail.output;
  EXPECT_NE(line_of(detail.output, "Test/p1-").find(" Em "), std::string::npos) << detail.output;
  EXPECT_NE(line_of(detail.output, "Test/p2-").find(" Em "), std::string::npos) << detail.output;

  // Events: one ConfbridgeStart, a ConfbridgeJoin per user (Muted for the phones, Admin for the
  // caller), all naming the conference.
  ASSERT_TRUE(eventually([&] { return events_of<confbridge::ConfbridgeJoin>().size() == 3; }));
  ASSERT_EQ(events_of<confbridge::ConfbridgeStart>().size(), 1u);
  EXPECT_EQ(events_of<confbridge::ConfbridgeStart>()[0]->conference, name);
  for (auto* j : events_of<confbridge::ConfbridgeJoin>()) {
    SCOPED_TRACE(j->channel.name);
    EXPECT_EQ(j->conference, name);
    const bool caller = j->channel.name.rfind("Test/pager-", 0) == 0;
    EXPECT_EQ(j->muted, !caller);
    EXPECT_EQ(j->admin, caller);
  }

  pager->request_hangup();
  ASSERT_TRUE(wait_gone(pager->name()));
  ASSERT_TRUE(eventually([&] { return events_of<confbridge::ConfbridgeEnd>().size() == 1; }));
  EXPECT_EQ(events_of<confbridge::ConfbridgeEnd>()[0]->conference, name);
  EXPECT_EQ(events_of<confbridge::ConfbridgeLeave>().size(), 3u);
  EXPECT_TRUE(reg->rooms().empty());
  EXPECT_TRUE(eventually([&] { return !find("Test/p1-") && !find("Test/p2-"); })) << "the phones are hung up";
}

TEST_F(PageConference, PagedPhonesCanBeUnmutedMutedAndKicked) {
  load("[c]\nexten => s,1,Page(Test/p1&Test/p2&Test/p3,q)\n");
  auto pager = call("c", "s", "pager");
  ASSERT_TRUE(wait_conference(4));
  auto p1 = find("Test/p1-");
  ASSERT_TRUE(p1);

  // Unmuted, p1 is heard by the caller and by the other phones.
  EXPECT_EQ(reg->set_muted(name, p1->name(), false), confbridge::ControlResult::Ok);
  ASSERT_TRUE(eventually([&] { return events_of<confbridge::ConfbridgeUnmute>().size() == 1; }));
  EXPECT_EQ(events_of<confbridge::ConfbridgeUnmute>()[0]->channel.name, p1->name());
  feed({{pager, 440}, {p1, 1000}}, 30);
  EXPECT_GT(level_at(mediax_test::loudest_window(heard("pager"), 2400, 8000, 1000), 1000), -25);
  EXPECT_GT(level_at(mediax_test::loudest_window(heard("p2"), 2400, 8000, 1000), 1000), -25);
  // Muted again by a name prefix, as ConfbridgeMute documents.
  EXPECT_EQ(reg->set_muted(name, "Test/p1", true), confbridge::ControlResult::Ok);
  ASSERT_TRUE(eventually([&] { return events_of<confbridge::ConfbridgeMute>().size() == 1; }));
  EXPECT_EQ(events_of<confbridge::ConfbridgeMute>()[0]->channel.name, p1->name());
  const auto members = reg->members(name);
  ASSERT_TRUE(members.has_value());
  for (const auto& m : *members) {
    if (m.channel.name == p1->name()) {
      EXPECT_TRUE(m.muted);
    }
  }

  // Kicking one phone hangs it up; the page goes on.
  EXPECT_EQ(reg->kick(name, p1->name()), confbridge::ControlResult::Ok);
  ASSERT_TRUE(wait_gone(p1->name()));
  ASSERT_TRUE(eventually([&] { return reg->room(name) && reg->room(name)->parties == 3; }));
  // "participants" means every phone: the caller is the page's admin and stays.
  EXPECT_EQ(reg->kick(name, "participants"), confbridge::ControlResult::Ok);
  ASSERT_TRUE(eventually([&] { return !find("Test/p2-") && !find("Test/p3-"); }));
  ASSERT_TRUE(eventually([&] { return reg->room(name) && reg->room(name)->parties == 1; }));
  EXPECT_FALSE(pager->hangup_requested());
  pager->request_hangup();
  ASSERT_TRUE(wait_gone(pager->name()));
}

TEST_F(PageConference, DuplexPhonesJoinUnmutedAndEveryPageHasItsOwnConference) {
  load("[c]\nexten => s,1,Page(Test/p1,dq)\nexten => t,1,Page(Test/p2,q)\n");
  auto a = call("c", "s", "pager1");
  ASSERT_TRUE(wait_conference(2));
  const std::string first = name;
  auto b = call("c", "t", "pager2");
  ASSERT_TRUE(eventually([&] { return reg->rooms().size() == 2; }));
  for (const auto& r : reg->rooms()) {
    auto members = *reg->members(r.name);
    for (const auto& m : members) {
      if (m.channel.name.rfind("Test/p1-", 0) == 0) {
        EXPECT_FALSE(m.muted) << "d: the phone joins unmuted";
      } else if (m.channel.name.rfind("Test/p2-", 0) == 0) {
        EXPECT_TRUE(m.muted);
      }
    }
  }
  EXPECT_NE(reg->rooms()[0].name, reg->rooms()[1].name);
  a->request_hangup();
  b->request_hangup();
  ASSERT_TRUE(wait_gone(a->name()));
  ASSERT_TRUE(wait_gone(b->name()));
  EXPECT_TRUE(eventually([&] { return reg->rooms().empty(); }));
}

}  // namespace
