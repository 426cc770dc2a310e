// `loc` spans: two spans wired back to back in memory (see soft_spans.hpp).
//
// Each direction of each channel pair is a LoopEnd: a fixed ring of messages the sender fills
// under the end's own mutex (one per channel direction, never shared between calls) and the
// receiver drains on its channel's executor. One drain is scheduled per burst, so a steady
// 20 ms stream costs one post per block and no allocation.
#include <boost/asio/post.hpp>
#include <array>
#include <cstring>
#include <map>

#include "handler_arena.hpp"
#include "soft_channel.hpp"
#include "soft_spans.hpp"
#include "telephony/media/codec.hpp"

namespace telephony::tdm {

namespace {

// µ-law <-> A-law byte tables, for a pair of spans configured with different laws.
struct LawTables {
  std::array<std::uint8_t, 256> u2a{}, a2u{};
  LawTables() {
    for (int i = 0; i < 256; ++i) {
      u2a[i] = media::g711::alaw_from_linear(media::g711::ulaw_to_linear(static_cast<std::uint8_t>(i)));
      a2u[i] = media::g711::ulaw_from_linear(media::g711::alaw_to_linear(static_cast<std::uint8_t>(i)));
    }
  }
};
const LawTables& law_tables() {
  static const LawTables t;
  return t;
}

class LoopEnd : public WireLink, public std::enable_shared_from_this<LoopEnd> {
 public:
  static constexpr std::size_t kSlots = 32;

  LoopEnd(std::string where, Law from, Law to) : where_(std::move(where)), from_(from), to_(to) {}
  void connect(std::weak_ptr<SoftChannel> target) { target_ = std::move(target); }
  void set_peer_description(std::string d) { peer_desc_ = std::move(d); }

  void send_signal(LineSignal s) override {
    Slot slot;
    slot.signal = s;
    push(slot);
  }

  void send_audio(std::span<const std::uint8_t> g711) override {
    Slot slot;
    slot.len = static_cast<std::uint16_t>(std::min(g711.size(), slot.bytes.size()));
    if (from_ == to_) {
      std::memcpy(slot.bytes.data(), g711.data(), slot.len);
    } else {
      const auto& table = from_ == Law::Ulaw ? law_tables().u2a : law_tables().a2u;
      for (std::size_t i = 0; i < slot.len; ++i) slot.bytes[i] = table[g711[i]];
    }
    push(slot);
  }

  std::string describe() const override { return where_ + " <-> " + peer_desc_; }
  SoftChannelStats stats() const override {
    SoftChannelStats s;
    s.rx_messages = delivered_.load();
    s.tx_dropped = dropped_.load();
    s.peer = peer_desc_;
    return s;
  }

 private:
  struct Slot {
    LineSignal signal{};
    std::uint16_t len = 0;  // 0: a signal
    std::array<std::uint8_t, kWireMaxAudio> bytes;
  };

  void push(const Slot& slot) {
    auto target = target_.lock();
    if (!target) {
      ++dropped_;
      return;
    }
    auto ex = target->delivery_executor();
    if (!ex) {
      ++dropped_;  // nobody listens on the far channel (not configured, or being restarted)
      return;
    }
    bool schedule = false;
    {
      std::lock_guard lock(mu_);
      if (count_ == kSlots) {
        ++dropped_;
        return;
      }
      ring_[(head_ + count_) % kSlots] = slot;
      ++count_;
      if (!scheduled_) schedule = scheduled_ = true;
    }
    if (schedule) boost::asio::post(*ex, arena_bound(arena_, [self = shared_from_this()] { self->drain(); }));
  }

  void drain() {
    auto target = target_.lock();
    while (true) {
      Slot slot;
      {
        std::lock_guard lock(mu_);
        if (count_ == 0) {
          scheduled_ = false;
          return;
        }
        slot = ring_[head_];
        head_ = (head_ + 1) % kSlots;
        --count_;
      }
      if (!target) continue;
      ++delivered_;
      if (slot.len) target->on_wire_audio(std::span<const std::uint8_t>(slot.bytes.data(), slot.len));
      else target->on_wire_signal(slot.signal);
    }
  }

  const std::string where_;
  std::string peer_desc_;
  const Law from_, to_;
  std::weak_ptr<SoftChannel> target_;
  std::mutex mu_;
  std::array<Slot, kSlots> ring_;
  std::size_t head_ = 0, count_ = 0;
  bool scheduled_ = false;
  std::atomic<std::uint64_t> delivered_{0}, dropped_{0};
  HandlerArena arena_;  // the drain post of each burst allocates nothing
};

class LocSpan : public Span {
 public:
  LocSpan(int number, LocAddress addr, std::vector<Law> laws)
      : Span(number, "LOC/" + std::to_string(addr.key) + ":" + std::to_string(addr.id),
             "DAHDI_DYNAMIC/loc/" + std::to_string(addr.key) + ":" + std::to_string(addr.id),
             laws.empty() ? Law::Ulaw : laws.front()),
        addr_(addr),
        laws_(std::move(laws)) {
    for (std::size_t i = 0; i < laws_.size(); ++i)
      channels_.push_back(std::make_shared<SoftChannel>("loc " + std::to_string(addr.key) + ":" +
                                                        std::to_string(addr.id) + "/" + std::to_string(i + 1)));
    set_alarms(kAlarmRed);  // until link_loc_spans finds the partner
  }
  LocAddress address() const { return addr_; }
  Law law_of(std::size_t i) const { return laws_[i]; }
  SoftChannel& soft(std::size_t i) { return static_cast<SoftChannel&>(*channels_[i]); }
  std::shared_ptr<SoftChannel> soft_ptr(std::size_t i) { return std::static_pointer_cast<SoftChannel>(channels_[i]); }
  void linked() { set_alarms(0); }

 protected:
  void notify_channels_alarm(bool in_alarm) override {
    for (auto& c : channels_) static_cast<SoftChannel&>(*c).notify_alarm(in_alarm);
  }

 private:
  LocAddress addr_;
  std::vector<Law> laws_;
};

}  // namespace

std::shared_ptr<Span> make_loc_span(int number, LocAddress address, std::vector<Law> laws) {
  return std::make_shared<LocSpan>(number, address, std::move(laws));
}

void link_loc_spans(const std::vector<std::shared_ptr<Span>>& loc_spans) {
  std::map<int, std::vector<LocSpan*>> by_key;
  for (const auto& s : loc_spans)
    if (auto* l = dynamic_cast<LocSpan*>(s.get())) by_key[l->address().key].push_back(l);
  for (auto& [key, spans] : by_key) {
    if (spans.size() != 2) continue;
    auto* a = spans[0];
    auto* b = spans[1];
    const std::size_t n = std::min(a->channel_count(), b->channel_count());
    for (std::size_t i = 0; i < n; ++i) {
      auto ab = std::make_shared<LoopEnd>(a->soft(i).describe(), a->law_of(i), b->law_of(i));
      auto ba = std::make_shared<LoopEnd>(b->soft(i).describe(), b->law_of(i), a->law_of(i));
      ab->connect(b->soft_ptr(i));
      ba->connect(a->soft_ptr(i));
      ab->set_peer_description(b->soft(i).describe());
      ba->set_peer_description(a->soft(i).describe());
      a->soft(i).set_link(ab);
      b->soft(i).set_link(ba);
    }
    a->linked();
    b->linked();
  }
}

}  // namespace telephony::tdm
