#include "event_stream.hpp"

#include <strings.h>

#include "telephony/manager/event_description.hpp"

namespace telephony::python {

namespace {

// What a queued item becomes before the GIL is taken: everything but the Python objects.
struct Prepared {
  std::string type;
  std::string engine_type;
  std::optional<std::uint64_t> seq;
  double time = 0;
  ami::Message message;
};

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

Prepared lost_marker(std::uint64_t count) {
  Prepared p;
  p.type = p.engine_type = "EventsLost";
  p.time = seconds_since_epoch(std::chrono::system_clock::now());
  p.message.add("Event", "EventsLost").add("Count", std::to_string(count));
  return p;
}

}  // namespace

// ---- PyEvent ------------------------------------------------------------------------------------

py::object PyEvent::fields() {
  if (!fields_cache) fields_cache = headers_dict(message, 1);  // header 0 is "Event"
  return fields_cache;
}

py::dict headers_dict(const ami::Message& m, std::size_t first) {
  py::dict d;
  for (std::size_t i = first; i < m.size(); ++i) {
    const auto key = m.at(i).key;
    py::str k(key.data(), key.size());
    if (!d.contains(k)) d[k] = header_value(m, key);
  }
  return d;
}

py::object header_value(const ami::Message& m, std::string_view key) {
  auto all = m.get_all(key);
  if (all.empty()) return py::none();
  if (all.size() == 1) return py::str(all[0].data(), all[0].size());
  py::list l;
  for (auto v : all) l.append(py::str(v.data(), v.size()));
  return l;
}

py::object PyEvent::get(const std::string& key, py::object fallback) const {
  if (ami::iequals(key, "Event")) return py::str(type);
  py::object v = header_value(message, key);
  return v.is_none() ? fallback : v;
}

std::string PyEvent::repr() const {
  std::string out = "<Event " + type;
  for (const char* k : {"Channel", "DestChannel", "BridgeName", "UserEvent", "Count"})
    if (auto v = message.get(k)) out += " " + std::string(k) + "=" + std::string(*v);
  return out + ">";
}

// ---- EventStream --------------------------------------------------------------------------------

EventStream::EventStream(Options options) : options_(std::move(options)) {
  if (options_.capacity == 0) options_.capacity = 1;
}

EventStream::~EventStream() { sub_.close(); }

void EventStream::subscribe(EventBus& bus) {
  EventBus::SubscriberOptions so;
  so.name = "python";
  so.capacity = options_.capacity;
  so.overflow = EventBus::Overflow::DropOldest;
  std::weak_ptr<EventStream> weak = weak_from_this();
  sub_ = bus.subscribe(std::move(so), [weak](const EventPtr& ev) {
    if (auto self = weak.lock()) self->push_event(ev);
  });
}

bool EventStream::wanted_name(std::string_view name) const {
  for (const auto& t : options_.types)
    if (t.size() == name.size() && ::strncasecmp(t.data(), name.data(), name.size()) == 0) return true;
  return false;
}

bool EventStream::wanted(const Event& ev) const {
  if (options_.types.empty() || wanted_name(ev.type())) return true;
  return wanted_name(manager::describe_event(ev).name);
}

void EventStream::push_event(const EventPtr& ev) {
  if (auto* lost = ev->as<EventsLost>()) {
    // The bus dropped events before they reached this stream: the gap is here, in order.
    lost_ += lost->count;
    enqueue(Item(std::in_place_index<2>, lost->count));
    return;
  }
  if (!wanted(*ev)) return;
  enqueue(Item(std::in_place_index<0>, ev));
}

void EventStream::push_message(ami::Message m) {
  if (!options_.types.empty() && !wanted_name(m.event())) return;
  enqueue(Item(std::in_place_index<1>, std::move(m)));
}

void EventStream::count_loss_locked(std::uint64_t n) {
  if (!queue_.empty() && queue_.front().index() == 2) std::get<2>(queue_.front()) += n;
  else queue_.emplace_front(std::in_place_index<2>, n);
}

void EventStream::enqueue(Item item) {
  std::shared_ptr<Operation> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    const bool is_event = item.index() != 2;
    if (is_event) {
      ++received_;
      if (queued_events_ >= options_.capacity) {
        // DropOldest: the oldest event goes (with any marker before it, merged into one).
        std::uint64_t dropped = 0;
        while (!queue_.empty()) {
          const bool marker = queue_.front().index() == 2;
          if (marker) dropped += std::get<2>(queue_.front());
          queue_.pop_front();
          if (!marker) break;
        }
        --queued_events_;
        ++lost_;
        count_loss_locked(dropped + 1);
      }
      ++queued_events_;
    }
    queue_.push_back(std::move(item));
    wake = std::move(ready_);
  }
  cv_.notify_one();
  if (wake) wake->complete(none_result());
}

void EventStream::close() {
  std::shared_ptr<Operation> wake;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    wake = std::move(ready_);
  }
  sub_.close();
  cv_.notify_all();
  if (wake) wake->complete(none_result());
}

bool EventStream::closed() const {
  std::lock_guard lock(mu_);
  return closed_ && queue_.empty();
}

std::shared_ptr<Operation> EventStream::ready() {
  auto op = std::make_shared<Operation>();
  {
    std::lock_guard lock(mu_);
    if (queue_.empty() && !closed_) {
      ready_ = op;
      return op;
    }
  }
  op->complete(none_result());
  return op;
}

py::list EventStream::take(std::size_t max, std::optional<double> timeout) {
  std::vector<Prepared> prepared;
  {
    // No timeout: a deadline that never comes (time_point::max() would overflow in arithmetic).
    const auto deadline =
        std::chrono::steady_clock::now() +
        (timeout ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(*timeout))
                 : std::chrono::hours(24 * 365));
    std::vector<Item> batch;
    for (;;) {
      {
        py::gil_scoped_release release;
        std::unique_lock lock(mu_);
        auto ready = [&] { return closed_ || !queue_.empty(); };
        auto slice = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        if (deadline < slice) slice = deadline;
        cv_.wait_until(lock, slice, ready);
        while (!queue_.empty() && batch.size() < max) {
          if (queue_.front().index() != 2) --queued_events_;
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        if (!batch.empty() || closed_ || std::chrono::steady_clock::now() >= deadline) {
          lock.unlock();
          prepared.reserve(batch.size());
          for (auto& item : batch) {
            if (item.index() == 2) {
              prepared.push_back(lost_marker(std::get<2>(item)));
            } else if (item.index() == 1) {
              Prepared p;
              auto& m = std::get<1>(item);
              p.type = std::string(m.event());
              p.time = seconds_since_epoch(std::chrono::system_clock::now());
              p.message = std::move(m);
              prepared.push_back(std::move(p));
            } else {
              const auto& ev = std::get<0>(item);
              auto d = manager::describe_event(*ev);
              Prepared p;
              p.type = std::move(d.name);
              p.engine_type = std::string(ev->type());
              p.seq = ev->seq;
              p.time = seconds_since_epoch(ev->time);
              p.message = std::move(d.fields);
              prepared.push_back(std::move(p));
            }
          }
          break;
        }
      }
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
  }
  py::list out;
  for (auto& p : prepared) {
    PyEvent e{std::move(p.type), std::move(p.engine_type), p.seq, p.time, std::move(p.message), py::object()};
    out.append(py::cast(std::move(e)));
  }
  return out;
}

}  // namespace telephony::python
