// extensions.conf loading: priorities (n, s, hint, +N, labels), same =>, caller-ID variants,
// duplicate and malformed lines (all reported at once with file:line), globals, includes with
// loops and time windows, and `dialplan show` output.
#include <gtest/gtest.h>

#include <ctime>

#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"

using namespace telephony;
using namespace telephony::dialplan;

namespace {
std::shared_ptr<const Dialplan> load_ok(const std::string& text) {
  auto r = load_dialplan_string(text, "extensions.conf");
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  return r ? *r : DialplanBuilder().build();
}
std::string load_errors(const std::string& text) {
  auto r = load_dialplan_string(text, "extensions.conf");
  EXPECT_FALSE(r) << "loaded a broken dialplan";
  return r ? "" : r.error().to_string();
}
std::vector<int> numbers(const Dialplan& plan, const char* ctx, const char* exten) {
  auto f = plan.find(ctx, exten, 1, "");
  std::vector<int> out;
  if (f)
    for (auto& p : f->extension->priorities) out.push_back(p.number);
  return out;
}
}  // namespace

TEST(PbxLoader, PriorityFormsFollowPbxConfig) {
  auto plan = load_ok(R"([demo]
exten => 100,hint,SIP/100
same => n,Answer()
same => n(loop),NoOp(a)
same => n,Wait(1)
same => n+2,NoOp(skip)
exten => 100,loop+10,NoOp(from label)
exten => 100/200,s,NoOp(same)
exten => 200,1,NoOp
exten => 201,n,NoOp(sectionwide next)
exten => 300,5(five),Dial(SIP/a,20,tT)
)");
  EXPECT_EQ(numbers(*plan, "demo", "100"), (std::vector<int>{1, 2, 3, 6, 12}));
  auto f = plan->find("demo", "100", 2, "");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->priority->label, "loop");
  EXPECT_EQ(f->priority->app, "NoOp");
  EXPECT_EQ(*f->extension->hint, "SIP/100");
  EXPECT_EQ(plan->find("demo", "100", 3, "")->priority->app, "Wait");
  EXPECT_EQ(plan->find("demo", "100", 12, "200")->priority->data, "same");
  EXPECT_EQ(plan->find("demo", "100", 12, "")->priority->data, "from label");
  EXPECT_EQ(numbers(*plan, "demo", "201").size(), 0u);  // 201 starts at 2 (n after 200's 1)
  EXPECT_TRUE(plan->exists("demo", "201", 2, ""));
  auto d = plan->find_label("demo", "300", "five", "");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->priority->number, 5);
  EXPECT_EQ(d->priority->data, "SIP/a,20,tT");
  EXPECT_EQ(d->priority->where.to_string(), "extensions.conf:11");
}

TEST(PbxLoader, EveryErrorIsReportedWithFileAndLine) {
  auto errs = load_errors(R"([a]
same => n,NoOp
exten => s,n,NoOp
exten => _N,1,NoOp
exten => _[2-9],1,NoOp(same pattern)
exten => 5,1,Dial(SIP/x
exten => 6,nope,NoOp
exten => _[9-1],1,NoOp
exten => 7,1(x,NoOp
include => b,25:00-26:00,*,*,*
exten => 8,1,NoOp
exten => 8,1,NoOp(dup)
)");
  for (const char* want : {"extensions.conf:2: 'same' used without a previous 'exten'",
                           "extensions.conf:3: can't use 'next' priority on the first entry",
                           "extensions.conf:5: duplicate priority 1 of extension '_[2-9]' in context 'a' (first defined at extensions.conf:4)",
                           "extensions.conf:6: missing ')'", "extensions.conf:7: invalid priority/label 'nope'",
                           "extensions.conf:8:", "extensions.conf:9: label missing trailing ')'",
                           "extensions.conf:10: include 'b': invalid time range",
                           "extensions.conf:12: duplicate priority 1 of extension '8'"})
    EXPECT_NE(errs.find(want), std::string::npos) << "missing: " << want << "\nin:\n" << errs;
}

// At telephonyd's start (BadLines::Skip), as Asterisk's pbx_config does: every line that cannot be
// used is left out with its file:line reason as a warning, and all the rest loads.
TEST(PbxLoader, SkipBadLinesLoadsEverythingElseAndWarnsWithFileAndLine) {
  const char* text = R"([a]
exten => _[9-2]X,1,NoOp(reversed range)
same => n,NoOp(continues the skipped extension)
exten => _N,1,NoOp(n)
exten => _[2-9],1,NoOp(same pattern)
exten => x6,nope,NoOp
exten => 8,1,NoOp(first)
exten => 8,1,NoOp(dup)
exten => 9,1,NoOp(after)
same => n,NoOp(second)
)";
  EXPECT_FALSE(load_dialplan_string(text, "extensions.conf")) << "the default (reload, --check-config) rejects";
  auto r = load_dialplan_string(text, "extensions.conf", {}, {.bad_lines = BadLines::Skip});
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& plan = **r;
  EXPECT_EQ(plan.find("a", "5", 1, "")->priority->data, "n");
  EXPECT_EQ(plan.find("a", "8", 1, "")->priority->data, "first");
  EXPECT_EQ(numbers(plan, "a", "9"), (std::vector<int>{1, 2}));
  EXPECT_FALSE(plan.exists("a", "x6", 1, ""));
  std::string warnings;
  for (const auto& w : plan.warnings()) warnings += w.to_string() + "\n";
  for (const char* want : {"extensions.conf:2: extension '_[9-2]X': reversed range '9-2' at offset 2 matches nothing",
                           "extensions.conf:3:", "extensions.conf:5: duplicate priority 1 of extension '_[2-9]'",
                           "extensions.conf:6: invalid priority/label 'nope'",
                           "extensions.conf:8: duplicate priority 1 of extension '8'"})
    EXPECT_NE(warnings.find(want), std::string::npos) << "missing: " << want << "\nin:\n" << warnings;
  EXPECT_EQ(plan.warnings().size(), 5u) << warnings;
  EXPECT_NE(warnings.find("line skipped"), std::string::npos) << warnings;
}

TEST(PbxLoader, GlobalsGeneralAndExtensionSubstitution) {
  auto plan = load_ok(R"([general]
autofallthrough=no
clearglobalvars=yes
extenpatternmatchnew=yes
[globals]
TRUNK=SIP/provider
[globals]
OUT=${TRUNK}/out
EXT=555
[ctx]
exten => ${EXT},1,Dial(${OUT})
switch => IAX2/box/ctx
)");
  EXPECT_FALSE(plan->general().autofallthrough);
  EXPECT_TRUE(plan->general().clearglobalvars);
  ASSERT_EQ(plan->globals().size(), 3u);
  EXPECT_EQ(plan->globals()[1].second, "SIP/provider/out");
  EXPECT_TRUE(plan->exists("ctx", "555", 1, ""));
  EXPECT_EQ(plan->find("ctx", "555", 1, "")->priority->data, "${OUT}");  // app data stays for run time
  ASSERT_FALSE(plan->warnings().empty());
  EXPECT_NE(plan->warnings()[0].message.find("remote switches are not supported"), std::string::npos);
  EXPECT_EQ(plan->context("general"), nullptr);
  EXPECT_EQ(plan->context("globals"), nullptr);
}

TEST(PbxLoader, TemplatesAreNotContextsAndRepeatedSectionsMerge) {
  auto plan = load_ok(R"([tpl](!)
exten => 1,1,NoOp(t)
[room](tpl)
exten => 2,1,NoOp
[room]
exten => 3,1,NoOp
)");
  EXPECT_EQ(plan->context("tpl"), nullptr);
  for (const char* e : {"1", "2", "3"}) EXPECT_TRUE(plan->exists("room", e, 1, "")) << e;
}

TEST(PbxMatching, CallerIdVariantsComeFirstAndFallBack) {
  auto plan = load_ok(R"([in]
exten => 100,1,NoOp(anyone)
exten => 100/_256NXXXXXX,1,NoOp(local)
exten => 100/200,1,NoOp(boss)
same => n,NoOp(boss 2)
exten => _1XX,2,NoOp(pattern 2)
)");
  struct Case {
    const char* caller;
    int priority;
    const char* data;
  } cases[] = {{"2565551234", 1, "local"}, {"200", 1, "boss"}, {"999", 1, "anyone"}, {"", 1, "anyone"},
               {"200", 2, "boss 2"},       {"999", 2, "pattern 2"}};
  for (auto& c : cases) {
    auto f = plan->find("in", "100", c.priority, c.caller);
    ASSERT_TRUE(f) << c.caller;
    EXPECT_EQ(f->priority->data, c.data) << c.caller << " prio " << c.priority;
  }
}

TEST(PbxMatching, IncludesAreDepthFirstVisitedOnceAndTimed) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  static const char* days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string today = days[tm.tm_wday], other = days[(tm.tm_wday + 3) % 7];
  auto plan = load_ok("[a]\ninclude => b\ninclude => c\n[b]\ninclude => a\ninclude => d\n[c]\nexten => 1,1,NoOp(c)\n"
                      "exten => 2,1,NoOp(c2)\n[d]\nexten => 1,1,NoOp(d)\n"
                      "[t]\ninclude => open,*,*," + std::string("*,*") + "\ninclude => closed,*," + other + ",*,*\n"
                      "include => today,*," + today + ",*,*\n[closed]\nexten => 5,1,NoOp(closed)\n"
                      "[today]\nexten => 5,1,NoOp(today)\n[open]\nexten => 6,1,NoOp(open)\n");
  EXPECT_EQ(plan->find("a", "1", 1, "")->priority->data, "d");  // b (-> d) before c
  EXPECT_EQ(plan->find("a", "2", 1, "")->priority->data, "c2");
  EXPECT_FALSE(plan->exists("a", "3", 1, ""));  // the a<->b loop terminates
  EXPECT_EQ(plan->find("t", "5", 1, "")->priority->data, "today");
  EXPECT_EQ(plan->find("t", "6", 1, "")->priority->data, "open");
  EXPECT_TRUE(plan->match_more("a", "", ""));
  EXPECT_FALSE(plan->match_more("a", "1", ""));
}

TEST(PbxTimeWindow, ParsesAndRejects) {
  auto w = TimeWindow::parse("09:00-17:00,mon-fri,*,*");
  ASSERT_TRUE(w);
  std::tm tm{};
  tm.tm_year = 124;  // 2024-03-04 is a Monday
  tm.tm_mon = 2;
  tm.tm_mday = 4;
  tm.tm_hour = 17;
  tm.tm_min = 0;
  tm.tm_isdst = -1;
  auto t = std::chrono::system_clock::from_time_t(std::mktime(&tm));
  EXPECT_TRUE(w->contains(t));  // the end minute is included
  tm.tm_min = 1;
  EXPECT_FALSE(w->contains(std::chrono::system_clock::from_time_t(std::mktime(&tm))));
  tm.tm_mday = 3;  // Sunday
  tm.tm_min = 0;
  EXPECT_FALSE(w->contains(std::chrono::system_clock::from_time_t(std::mktime(&tm))));
  auto wrap = TimeWindow::parse("22:00-06:00,fri-mon,1-5&20,dec-feb");
  ASSERT_TRUE(wrap);
  tm = {};
  tm.tm_year = 124, tm.tm_mon = 0, tm.tm_mday = 5, tm.tm_hour = 23, tm.tm_isdst = -1;  // Fri 5 Jan 2024
  EXPECT_TRUE(wrap->contains(std::chrono::system_clock::from_time_t(std::mktime(&tm))));
  for (const char* bad : {"9-17,*,*,*", "*,funday,*,*", "*,*,32,*", "*,*,*,foo", "a,b,c,d,e,f"})
    EXPECT_FALSE(TimeWindow::parse(bad)) << bad;
}

TEST(PbxBuilder, HostBuiltPlanEqualsLoadedOne) {
  DialplanBuilder b;
  b.add_context("host");
  ASSERT_TRUE(b.add_priority("host", "_1XX", Priority{1, "", "NoOp", "built", {}}));
  ASSERT_TRUE(b.add_priority("host", "_1XX", Priority{2, "end", "Hangup", "", {}}));
  ASSERT_TRUE(b.add_include("host", "other"));
  EXPECT_FALSE(b.add_priority("host", "_1-XX", Priority{1, "", "NoOp", "dup", {}}));
  EXPECT_FALSE(b.add_priority("host", "_1[", Priority{1, "", "NoOp", "", {}}));
  b.add_context("other");
  ASSERT_TRUE(b.add_priority("other", "9", Priority{1, "", "NoOp", "other", {}}));
  auto plan = b.build();
  EXPECT_EQ(plan->find("host", "123", 1, "")->priority->data, "built");
  EXPECT_EQ(plan->find_label("host", "150", "end", "")->priority->number, 2);
  EXPECT_EQ(plan->find("host", "9", 1, "")->priority->data, "other");
}

TEST(PbxShow, RendersAsteriskLayout) {
  auto plan = load_ok(R"([default]
exten => 100,1,Answer()
same => n(greet),Playback(hello)
exten => 100/200,1,NoOp(boss)
exten => _X.,1,NoOp
include => other
ignorepat => 9
[other]
exten => 5,hint,SIP/5
)");
  auto all = render_dialplan(*plan, "");
  ASSERT_TRUE(all);
  EXPECT_NE(all->find("[ Context 'default' created by 'pbx_config' ]\n"), std::string::npos) << *all;
  std::string first_line = "  '100' =>          1. Answer()" + std::string(35, ' ') + "[extensions.conf:2]\n";
  EXPECT_NE(all->find(first_line), std::string::npos) << *all;
  EXPECT_NE(all->find("                    2(greet). Playback(hello)"), std::string::npos) << *all;
  EXPECT_NE(all->find("'100' (CID match '200') =>"), std::string::npos) << *all;
  EXPECT_NE(all->find("  Include =>        'other'"), std::string::npos) << *all;
  EXPECT_NE(all->find("  Ignore pattern => '9'"), std::string::npos) << *all;
  EXPECT_NE(all->find("hint: SIP/5"), std::string::npos) << *all;
  EXPECT_NE(all->find("-= 4 extensions (5 priorities) in 2 contexts. =-\n"), std::string::npos) << *all;
  auto one = render_dialplan(*plan, "123@default");
  ASSERT_TRUE(one);
  EXPECT_NE(one->find("'_X.' =>"), std::string::npos);
  EXPECT_NE(one->find("-= 1 extension (1 priority) in 1 context. =-"), std::string::npos) << *one;
  EXPECT_FALSE(render_dialplan(*plan, "nowhere"));
  EXPECT_EQ(render_dialplan(*plan, "nowhere").error().message, "There is no existence of 'nowhere' context");
  EXPECT_FALSE(render_dialplan(*plan, "x@other"));
}
