// Typed engine events and the EventBus that carries them to subscribers (AMI, CDR, Python, logs).
//
// Ordering: every event gets a bus-wide sequence number under one publish lock, so every
// subscriber sees the same total order. Delivery: each subscriber has its own bounded queue drained
// on its own strand; a slow subscriber never slows the publisher or other subscribers.
// Overflow policy (per subscriber, stated at subscribe time):
//   DropOldest  — the oldest queued events are discarded; the subscriber then receives an
//                 EventsLost event carrying how many it missed, before the next real event.
//   Disconnect  — the subscription is closed and its on_overflow callback runs once.
// Nothing is ever dropped silently: Subscription::dropped() counts every loss.
#pragma once

#include <boost/asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "telephony/channel.hpp"

namespace telephony {

struct Event {
  virtual ~Event() = default;
  virtual std::string_view type() const = 0;
  std::uint64_t seq = 0;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();

  template <class T>
  const T* as() const { return dynamic_cast<const T*>(this); }
};
using EventPtr = std::shared_ptr<const Event>;

#define TELEPHONY_EVENT_TYPE(name) \
  static constexpr std::string_view kType = #name; \
  std::string_view type() const override { return kType; }

struct ChannelEvent : Event {
  ChannelSnapshot channel;
};

struct ChannelCreated : ChannelEvent { TELEPHONY_EVENT_TYPE(ChannelCreated) };
struct ChannelStateChanged : ChannelEvent { TELEPHONY_EVENT_TYPE(ChannelStateChanged) };
struct ChannelHangupRequest : ChannelEvent {
  TELEPHONY_EVENT_TYPE(ChannelHangupRequest)
  HangupCause cause = HangupCause::NotDefined;
  bool soft = true;
};
struct ChannelHungUp : ChannelEvent {
  TELEPHONY_EVENT_TYPE(ChannelHungUp)
  HangupCause cause = HangupCause::NotDefined;
};
struct ChannelVarSet : ChannelEvent {
  TELEPHONY_EVENT_TYPE(ChannelVarSet)
  std::string variable;
  std::string value;
};
struct ChannelCallerIdChanged : ChannelEvent { TELEPHONY_EVENT_TYPE(ChannelCallerIdChanged) };
struct DialplanStep : ChannelEvent {
  TELEPHONY_EVENT_TYPE(DialplanStep)
  std::string application;
  std::string data;
};
struct DialBegin : Event {
  TELEPHONY_EVENT_TYPE(DialBegin)
  std::optional<ChannelSnapshot> caller;
  ChannelSnapshot dest;
  std::string dialstring;
};
struct DialEnd : Event {
  TELEPHONY_EVENT_TYPE(DialEnd)
  std::optional<ChannelSnapshot> caller;
  ChannelSnapshot dest;
  std::string dialstatus;
};
struct DtmfBegin : ChannelEvent {
  TELEPHONY_EVENT_TYPE(DtmfBegin)
  char digit = 0;
  bool received = true;  // direction: Received from the device, or Sent to it
};
struct DtmfEnd : ChannelEvent {
  TELEPHONY_EVENT_TYPE(DtmfEnd)
  char digit = 0;
  bool received = true;
  std::chrono::milliseconds duration{0};
};

struct BridgeSnapshot {
  std::string uniqueid;
  std::string type = "basic";
  std::string technology = "simple_bridge";
  std::string creator;
  std::string name;
  std::size_t num_channels = 0;
  std::string video_source_mode = "none";
};
struct BridgeEvent : Event {
  BridgeSnapshot bridge;
};
struct BridgeCreated : BridgeEvent { TELEPHONY_EVENT_TYPE(BridgeCreated) };
struct BridgeDestroyed : BridgeEvent { TELEPHONY_EVENT_TYPE(BridgeDestroyed) };
struct BridgeEntered : BridgeEvent {
  TELEPHONY_EVENT_TYPE(BridgeEntered)
  ChannelSnapshot channel;
  std::string swap_uniqueid;
};
struct BridgeLeft : BridgeEvent {
  TELEPHONY_EVENT_TYPE(BridgeLeft)
  ChannelSnapshot channel;
};

struct UserEventRaised : Event {
  TELEPHONY_EVENT_TYPE(UserEventRaised)
  std::optional<ChannelSnapshot> channel;
  std::string name;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct EngineFullyBooted : Event { TELEPHONY_EVENT_TYPE(EngineFullyBooted) };
struct EngineShutdown : Event {
  TELEPHONY_EVENT_TYPE(EngineShutdown)
  bool graceful = false;
  bool restart = false;
};
struct ModuleReloaded : Event {
  TELEPHONY_EVENT_TYPE(ModuleReloaded)
  std::string module;
  std::string status;  // "Success", "Error: …"
};
// Asterisk's security framework events (AMI class `security`, logger level `security`): an
// authentication or access decision by a service. `name` is the Asterisk event name
// (InvalidAccountID, ChallengeSent, InvalidPassword, ChallengeResponseFailed, FailedACL,
// SuccessfulAuth, RequestBadFormat, RequestNotAllowed, UnexpectedAddress …); addresses use
// Asterisk's form "IPV4/UDP/127.0.0.1/5060" (see security_address()). `fields` carries the
// event-specific fields in the order Asterisk sends them (Challenge, ReceivedChallenge,
// ReceivedHash, ACLName, UsingPassword …).
struct SecurityEvent : Event {
  TELEPHONY_EVENT_TYPE(SecurityEvent)
  std::string name;
  std::string severity = "Error";  // "Error" or "Informational" (SuccessfulAuth, ChallengeSent)
  std::string service;             // "PJSIP", "AMI"
  std::string account_id;
  std::string session_id;
  std::string local_address;
  std::string remote_address;
  std::vector<std::pair<std::string, std::string>> fields;
};
// "IPV4/UDP/127.0.0.1/5060": transport is "UDP", "TCP", "TLS"; IPv6 addresses give "IPV6/…".
std::string security_address(std::string_view transport, std::string_view ip, unsigned port);

// Delivered to a DropOldest subscriber before the next event after a loss.
struct EventsLost : Event {
  TELEPHONY_EVENT_TYPE(EventsLost)
  std::uint64_t count = 0;
};

#undef TELEPHONY_EVENT_TYPE

class EventBus {
 public:
  enum class Overflow { DropOldest, Disconnect };
  struct SubscriberOptions {
    std::string name = "subscriber";
    std::size_t capacity = 65536;
    Overflow overflow = Overflow::DropOldest;
    std::function<void()> on_overflow;  // Disconnect policy: called once, off the publish path
  };
  using Handler = std::function<void(const EventPtr&)>;

  class Subscriber;
  // Owning handle; destroying it (or calling close()) ends delivery.
  class Subscription {
   public:
    Subscription() = default;
    explicit Subscription(std::shared_ptr<Subscriber> s) : sub_(std::move(s)) {}
    Subscription(Subscription&&) noexcept = default;
    Subscription& operator=(Subscription&&) noexcept;
    ~Subscription();
    void close();
    std::uint64_t delivered() const;
    std::uint64_t dropped() const;
    bool active() const;

   private:
    std::shared_ptr<Subscriber> sub_;
  };

  explicit EventBus(boost::asio::io_context& io);
  ~EventBus();

  Subscription subscribe(SubscriberOptions opts, Handler handler);
  void publish(std::shared_ptr<Event> ev);
  template <class E>
  void emit(E ev) { publish(std::make_shared<E>(std::move(ev))); }

  std::uint64_t published() const { return seq_.load(); }
  std::size_t subscriber_count() const;
  // Per-subscriber queue figures (`core show taskprocessors`, metrics): high_water is the deepest
  // the queue has been since the subscription began.
  struct SubscriberStats {
    std::string name;
    std::uint64_t delivered = 0;
    std::uint64_t dropped = 0;
    std::size_t queued = 0;
    std::size_t high_water = 0;
    std::size_t capacity = 0;
  };
  std::vector<SubscriberStats> subscriber_stats() const;

 private:
  friend class Subscription;
  void remove(const std::shared_ptr<Subscriber>& s);

  boost::asio::io_context& io_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Subscriber>> subs_;
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace telephony
