#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <cctype>
#include <deque>

#include "telephony/events.hpp"

namespace telephony {

namespace asio = boost::asio;

class EventBus::Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(EventBus* bus, asio::io_context& io, SubscriberOptions o, Handler h)
      : bus_(bus), strand_(asio::make_strand(io)), opts_(std::move(o)), handler_(std::move(h)) {}

  // Called with the bus lock held: keeps the bus-wide order.
  void push(const EventPtr& ev) {
    std::lock_guard lock(mu_);
    if (closed_) return;
    if (queue_.size() >= opts_.capacity) {
      if (opts_.overflow == Overflow::Disconnect) {
        closed_ = true;
        ++dropped_;
        queue_.clear();
        if (opts_.on_overflow) asio::post(strand_, opts_.on_overflow);
        return;
      }
      queue_.pop_front();
      ++dropped_;
      ++pending_lost_;
    }
    queue_.push_back(ev);
    if (queue_.size() > high_water_) high_water_ = queue_.size();
    if (!scheduled_) {
      scheduled_ = true;
      asio::post(strand_, [self = shared_from_this()] { self->drain(); });
    }
  }

  void drain() {
    std::deque<EventPtr> batch;
    std::uint64_t lost = 0;
    {
      std::lock_guard lock(mu_);
      if (closed_) {
        scheduled_ = false;
        return;
      }
      batch.swap(queue_);
      lost = pending_lost_;
      pending_lost_ = 0;
    }
    if (lost) {
      auto ev = std::make_shared<EventsLost>();
      ev->count = lost;
      handler_(ev);
    }
    for (auto& ev : batch) {
      {
        std::lock_guard lock(mu_);
        if (closed_) break;
      }
      handler_(ev);
      delivered_.fetch_add(1, std::memory_order_relaxed);
    }
    std::lock_guard lock(mu_);
    if (!queue_.empty() && !closed_) {
      asio::post(strand_, [self = shared_from_this()] { self->drain(); });
    } else {
      scheduled_ = false;
    }
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    queue_.clear();
  }
  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  EventBus* bus_;
  asio::strand<asio::io_context::executor_type> strand_;
  SubscriberOptions opts_;
  Handler handler_;
  mutable std::mutex mu_;
  std::deque<EventPtr> queue_;
  bool scheduled_ = false;
  bool closed_ = false;
  std::uint64_t dropped_ = 0;
  std::uint64_t pending_lost_ = 0;
  std::size_t high_water_ = 0;
  std::atomic<std::uint64_t> delivered_{0};
};

EventBus::Subscription& EventBus::Subscription::operator=(Subscription&& o) noexcept {
  if (this != &o) {
    close();
    sub_ = std::move(o.sub_);
  }
  return *this;
}

EventBus::Subscription::~Subscription() { close(); }

void EventBus::Subscription::close() {
  if (!sub_) return;
  sub_->close();
  if (sub_->bus_) sub_->bus_->remove(sub_);
  sub_.reset();
}

std::uint64_t EventBus::Subscription::delivered() const { return sub_ ? sub_->delivered_.load() : 0; }
std::uint64_t EventBus::Subscription::dropped() const {
  if (!sub_) return 0;
  std::lock_guard lock(sub_->mu_);
  return sub_->dropped_;
}
bool EventBus::Subscription::active() const { return sub_ && !sub_->closed(); }

EventBus::EventBus(asio::io_context& io) : io_(io) {}

EventBus::~EventBus() {
  std::lock_guard lock(mu_);
  for (auto& s : subs_) s->bus_ = nullptr;
}

EventBus::Subscription EventBus::subscribe(SubscriberOptions opts, Handler handler) {
  auto s = std::make_shared<Subscriber>(this, io_, std::move(opts), std::move(handler));
  std::lock_guard lock(mu_);
  subs_.push_back(s);
  return Subscription(s);
}

void EventBus::publish(std::shared_ptr<Event> ev) {
  std::lock_guard lock(mu_);
  ev->seq = seq_.fetch_add(1) + 1;
  EventPtr shared = std::move(ev);
  for (auto& s : subs_) s->push(shared);
}

void EventBus::remove(const std::shared_ptr<Subscriber>& s) {
  std::lock_guard lock(mu_);
  std::erase(subs_, s);
  s->bus_ = nullptr;
}

std::vector<EventBus::SubscriberStats> EventBus::subscriber_stats() const {
  std::vector<std::shared_ptr<Subscriber>> subs;
  {
    std::lock_guard lock(mu_);
    subs = subs_;
  }
  std::vector<SubscriberStats> out;
  out.reserve(subs.size());
  for (const auto& s : subs) {
    std::lock_guard lock(s->mu_);
    out.push_back({s->opts_.name, s->delivered_.load(), s->dropped_, s->queue_.size(), s->high_water_, s->opts_.capacity});
  }
  return out;
}

std::size_t EventBus::subscriber_count() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

std::string security_address(std::string_view transport, std::string_view ip, unsigned port) {
  std::string out = ip.find(':') != std::string_view::npos ? "IPV6/" : "IPV4/";
  for (char c : transport) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.append("/").append(ip).append("/").append(std::to_string(port));
  return out;
}

}  // namespace telephony
