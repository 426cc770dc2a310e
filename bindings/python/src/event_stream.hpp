// EventStream: one Python subscriber's bounded queue of events — engine events (an EventBus
// subscription) or AMI events (telephony.ami.Client). Engine threads only push a shared_ptr (or
// move an ami::Message) under a short lock; turning events into Python objects happens on the
// Python thread that takes them.
//
// Overflow follows the bus's DropOldest policy: when the queue is full the oldest event is
// dropped and counted, and the reader gets an `EventsLost` event (Count: n) in its place, before
// the next event — never a silent gap. Losses the bus itself reports (its EventsLost) are merged
// into the same count. Order is the bus's total order.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "inbox.hpp"
#include "telephony/events.hpp"
#include "telephony/manager/message.hpp"

namespace telephony::python {

namespace py = pybind11;

// The value of header `key` of `m` as Python sees it: None when absent, a str, or a list of str
// when the header repeats. GIL held.
py::object header_value(const ami::Message& m, std::string_view key);
// Every header as a dict (first appearance order; repeated keys map to lists), from header
// `first` on (1 skips "Event"). GIL held.
py::dict headers_dict(const ami::Message& m, std::size_t first = 0);

// telephony.Event: `type` (the AMI event name where the event has one, else the engine type),
// `fields` (dict; a key that repeats maps to a list), `engine_type`, `seq`, `time`; indexing is
// case-insensitive like AMI header lookups.
struct PyEvent {
  std::string type;
  std::string engine_type;  // empty for events read from AMI
  std::optional<std::uint64_t> seq;
  double time = 0;
  ami::Message message;  // "Event: <type>" first
  py::object fields_cache;

  py::object fields();
  py::object get(const std::string& key, py::object fallback) const;
  std::string repr() const;
};

class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  struct Options {
    std::vector<std::string> types;  // empty: every event; else AMI names or engine types
    std::size_t capacity = 65536;
  };
  explicit EventStream(Options options);
  ~EventStream();

  // Subscribes to the engine's bus (DropOldest, same capacity).
  void subscribe(EventBus& bus);
  // From any thread.
  void push_event(const EventPtr& ev);
  void push_message(ami::Message m);
  void close();
  bool closed() const;

  // Python side. Up to `max` events as telephony.Event objects; waits up to `timeout` seconds
  // (nullopt: until one arrives or the stream closes) with the GIL released, checking Ctrl-C.
  // Empty list: timed out or closed (see closed()).
  py::list take(std::size_t max, std::optional<double> timeout);
  // Completes (None) as soon as an event is queued or the stream closes: how an async iterator
  // waits without a thread.
  std::shared_ptr<Operation> ready();

  std::uint64_t lost() const { return lost_.load(); }
  std::uint64_t received() const { return received_.load(); }

 private:
  using Item = std::variant<EventPtr, ami::Message, std::uint64_t>;  // uint64: a loss marker
  bool wanted(const Event& ev) const;
  bool wanted_name(std::string_view name) const;
  void enqueue(Item item);
  void count_loss_locked(std::uint64_t n);  // a marker at the front, where the gap is

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  std::size_t queued_events_ = 0;  // queue_ minus loss markers
  bool closed_ = false;
  std::shared_ptr<Operation> ready_;
  EventBus::Subscription sub_;
  std::atomic<std::uint64_t> lost_{0};
  std::atomic<std::uint64_t> received_{0};
};

}  // namespace telephony::python
