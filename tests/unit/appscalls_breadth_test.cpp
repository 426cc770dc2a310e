// Calls and bridges of issue 16 on Test channels: BridgeWait holding bridges (participants hear
// the announcer, their entertainment stops while one is there), BridgeAdd, Pickup by PICKUPMARK
// and by group with the AMI-facing CallPickedUp event, Authenticate with an md5 password file
// and its account code.
#include <openssl/evp.h>

#include <fstream>

#include "breadth_support.hpp"
#include "telephony/dialplan/app_events.hpp"

using namespace breadth_test;

namespace {

using Calls = Breadth;

std::string md5_hex(const std::string& text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), out, &n, EVP_md5(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", out[i]);
    hex += buf;
  }
  return hex;
}

double power_at(const std::vector<std::int16_t>& pcm, double hz) {
  return pcm.empty() ? 0 : media::goertzel_power(pcm, 8000, hz);
}

std::string bridge_of(const Channel::Ptr& c) { return c->snapshot().bridge_id; }

}  // namespace

TEST_F(Calls, HoldingBridgeParticipantsHearOnlyTheAnnouncer) {
  load("[c]\nexten => p,1,BridgeWait(lobby,Participant,e(r))\n"
       "exten => a,1,BridgeWait(lobby,ANNOUNCER)\n");
  auto p = call("c", "p", "part");
  ASSERT_TRUE(eventually([&] { return !bridge_of(p).empty(); }));
  // Alone: ringing entertainment (440 + 480 Hz).
  ASSERT_TRUE(eventually([&] { return voice_frames(*ep("part")) >= 20; }));
  auto ring = sent_pcm(*ep("part"));
  EXPECT_GT(power_at(ring, 440), 1e4);
  EXPECT_GT(power_at(ring, 480), 1e4);

  auto a = call("c", "a", "ann");
  ASSERT_TRUE(eventually([&] { return bridge_of(a) == bridge_of(p); }));
  std::this_thread::sleep_for(100ms);  // the ringing stops
  const auto from = voice_frames(*ep("part"));
  for (std::size_t k = 0; k < 20; ++k) {
    a->queue_frame(tone_frame(700, k));
    p->queue_frame(tone_frame(1300, k));
  }
  ASSERT_TRUE(eventually([&] { return voice_frames(*ep("part")) >= from + 15; }));
  auto heard = sent_pcm(*ep("part"), from);
  EXPECT_GT(power_at(heard, 700), 1e5);
  EXPECT_LT(power_at(heard, 440), power_at(heard, 700) / 100);  // no more ringing
  EXPECT_LT(power_at(sent_pcm(*ep("ann")), 1300), 1e3);          // the announcer hears nobody
  a->request_hangup(HangupCause::NormalClearing);
  p->request_hangup(HangupCause::NormalClearing);
  ASSERT_TRUE(wait_gone(p));
}

TEST_F(Calls, BridgeAddJoinsAnotherChannelsCall) {
  load("[c]\nexten => alice,1,Dial(Test/bob)\n"
       "exten => carol,1,BridgeAdd(Test/alice)\nsame => n,NoOp(${BRIDGERESULT})\n"
       "exten => lone,1,BridgeAdd(Test/nobody)\nsame => n,NoOp(${BRIDGERESULT})\n");
  auto alice = call("c", "alice", "alice");
  ASSERT_TRUE(eventually([&] { return !bridge_of(alice).empty(); }));
  auto carol = call("c", "carol", "carol");
  ASSERT_TRUE(eventually([&] { return bridge_of(carol) == bridge_of(alice); }));
  EXPECT_TRUE(ep("carol")->answered);
  carol->request_hangup(HangupCause::NormalClearing);
  ASSERT_TRUE(wait_gone(carol));
  EXPECT_EQ(last_set(carol, "BRIDGERESULT"), "SUCCESS");  // hung up in the bridge: no more priorities
  auto lone = call("c", "lone", "lone");
  ASSERT_TRUE(wait_gone(lone));
  EXPECT_EQ(join(trace(lone)), "[NONEXISTENT]");
  alice->request_hangup(HangupCause::NormalClearing);
}

TEST_F(Calls, PickupByMarkAndByGroupTakesTheRingingLeg) {
  load("[c]\n"
       "exten => ringer,1,Dial(Test/desk,20,gb(c^mark^1))\nsame => n,NoOp(${DIALSTATUS})\n"
       "exten => mark,1,Set(PICKUPMARK=sales)\nsame => n,Set(CHANNEL(callgroup)=5)\nsame => n,Return()\n"
       "exten => picker,1,Pickup(SALES@PICKUPMARK)\nsame => n,NoOp(not picked)\n"
       "exten => grp,1,Set(CHANNEL(pickupgroup)=5)\nsame => n,Pickup()\nsame => n,NoOp(not picked)\n");
  ep("desk")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); };  // rings forever
  auto caller = call("c", "ringer", "caller");
  ASSERT_TRUE(eventually([&] {
    for (auto& c : engine.channels())
      if (c->name().rfind("Test/desk-", 0) == 0 && c->state() == ChannelState::Ringing) return true;
    return false;
  }));
  auto picker = call("c", "picker", "picker");
  ASSERT_TRUE(log->wait_for_type("CallPickedUp"));
  auto picked = events_of<CallPickedUp>();
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0]->channel.name, picker->name());
  EXPECT_EQ(picked[0]->target.name.rfind("Test/desk-", 0), 0u);
  ASSERT_TRUE(eventually([&] { return !bridge_of(picker).empty() && bridge_of(picker) == bridge_of(caller); }));
  EXPECT_FALSE(reached(picker, "NoOp"));
  picker->request_hangup(HangupCause::NormalClearing);
  ASSERT_TRUE(wait_gone(caller));
  EXPECT_EQ(join(trace(caller)), "[ANSWER]");

  // By group: nothing rings now, so the picker continues.
  auto nobody = call("c", "grp", "grp-picker");
  ASSERT_TRUE(wait_gone(nobody));
  EXPECT_EQ(join(trace(nobody)), "[not picked]");
}

TEST_F(Calls, AuthenticateWithAnMd5FileSetsTheAccountCode) {
  {
    std::ofstream f(dir.path() / "pw");
    f << "sales:" << md5_hex("4711") << "\nsupport:" << md5_hex("1234") << "\n";
  }
  load("[c]\nexten => a,1,Answer()\nsame => n,Authenticate(${DIR}/pw,am)\nsame => n,NoOp(in ${CHANNEL(accountcode)})\n");
  auto chan = call("c", "a", "auth");
  ASSERT_TRUE(eventually([&] { return reached(chan, "Authenticate"); }));
  std::this_thread::sleep_for(200ms);
  for (char d : std::string("99#")) chan->queue_frame(Frame::dtmf_end(d, 80ms));  // wrong first
  std::this_thread::sleep_for(300ms);
  for (char d : std::string("1234#")) chan->queue_frame(Frame::dtmf_end(d, 80ms));
  ASSERT_TRUE(eventually([&] { return !trace(chan).empty(); }, 10s));
  EXPECT_EQ(join(trace(chan)), "[in support]");
  chan->request_hangup(HangupCause::NormalClearing);
}
