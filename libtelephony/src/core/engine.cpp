#include "telephony/engine.hpp"

#include "telephony/bridge.hpp"
#include "telephony/astdb.hpp"

#include <boost/asio/post.hpp>
#include <cstdio>
#include <ctime>

namespace telephony {

namespace asio = boost::asio;

Engine::Engine(EngineOptions options)
    : options_(std::move(options)), events_(io_) {
  if (options_.threads == 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());
  if (options_.worker_threads == 0) options_.worker_threads = 1;
  astdb_ = std::make_unique<AstDb>(options_.dirs.db / "astdb.sqlite3");
  device_states_ = std::make_unique<DeviceStates>(*this);
}

Engine::~Engine() { stop(std::chrono::milliseconds(200)); }

void Engine::start() {
  if (running_.exchange(true)) return;
  accepting_ = true;
  {
    std::lock_guard lock(mu_);
    stop_requested_ = false;
    graceful_pending_ = false;
  }
  started_at_ = reloaded_at_ = std::chrono::system_clock::now();
  if (io_.stopped()) io_.restart();
  work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(io_.get_executor());
  workers_ = std::make_unique<asio::thread_pool>(options_.worker_threads);
  for (unsigned i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { io_.run(); });
  events_.emit(EngineFullyBooted{});
}

void Engine::stop(std::chrono::milliseconds grace) {
  if (!running_.load()) return;
  accepting_ = false;
  EngineShutdown sd;
  sd.graceful = false;
  events_.emit(std::move(sd));
  for (auto& c : channels()) c->request_hangup(HangupCause::NormalClearing);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  {
    std::unique_lock lock(mu_);
    stop_cv_.wait_until(lock, deadline, [&] { return channels_.empty(); });
  }
  // Whatever did not finish in time is hung up outright.
  for (auto& c : channels()) c->hangup();
  {
    std::unique_lock lock(mu_);
    stop_cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return channels_.empty(); });
  }
  if (workers_) workers_->join();
  work_.reset();
  io_.stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  workers_.reset();
  {
    std::lock_guard lock(mu_);
    channels_.clear();
  }
  running_ = false;
}

void Engine::request_restart(StopMode mode) {
  restart_requested_ = true;
  request_stop(mode);
}

void Engine::request_stop(StopMode mode) {
  std::lock_guard lock(mu_);
  if (mode == StopMode::Now || channels_.empty()) {
    stop_requested_ = true;
    stop_cv_.notify_all();
    return;
  }
  accepting_ = false;
  graceful_pending_ = true;
}

Engine::StopMode Engine::wait_for_stop_request() {
  std::unique_lock lock(mu_);
  stop_cv_.wait(lock, [&] { return stop_requested_; });
  return graceful_pending_ ? StopMode::Gracefully : StopMode::Now;
}

void Engine::run_blocking(std::function<void()> job) {
  if (!workers_) {
    job();
    return;
  }
  asio::post(*workers_, std::move(job));
}

std::chrono::system_clock::time_point Engine::last_reload() const {
  std::lock_guard lock(mu_);
  return reloaded_at_;
}

void Engine::mark_reloaded() {
  std::lock_guard lock(mu_);
  reloaded_at_ = std::chrono::system_clock::now();
}

void Engine::add_module(std::shared_ptr<Module> m) {
  std::lock_guard lock(mu_);
  modules_.push_back(std::move(m));
}

void Engine::set_queue_reporter(const std::string& key, QueueReporter reporter) {
  std::lock_guard lock(mu_);
  if (reporter) queue_reporters_[key] = std::move(reporter);
  else queue_reporters_.erase(key);
}

std::vector<Engine::QueueReporter> Engine::queue_reporters_snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<QueueReporter> out;
  for (const auto& [k, r] : queue_reporters_) out.push_back(r);
  return out;
}

bool Engine::remove_module(std::string_view name) {
  std::lock_guard lock(mu_);
  return std::erase_if(modules_, [&](const std::shared_ptr<Module>& m) { return m->name() == name; }) > 0;
}

std::vector<std::shared_ptr<Module>> Engine::modules() const {
  std::lock_guard lock(mu_);
  return modules_;
}

std::shared_ptr<Module> Engine::module(std::string_view name) const {
  std::lock_guard lock(mu_);
  for (auto& m : modules_)
    if (m->name() == name) return m;
  return nullptr;
}

void Engine::set_pbx(std::shared_ptr<Pbx> pbx) {
  std::lock_guard lock(mu_);
  pbx_ = std::move(pbx);
}

std::shared_ptr<Pbx> Engine::pbx() const {
  std::lock_guard lock(mu_);
  return pbx_;
}

std::uint32_t Engine::next_channel_sequence() { return channel_seq_.fetch_add(1) + 1; }

std::string Engine::make_uniqueid() {
  // Asterisk's shape: "[systemname-]<epoch>.<sequence>".
  auto epoch = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
  std::string id = std::to_string(epoch) + "." + std::to_string(uniqueid_seq_.fetch_add(1));
  return options_.system_name.empty() ? id : options_.system_name + "-" + id;
}

Channel::Ptr Engine::create_channel(ChannelInit init) {
  std::string name = init.name_override;
  if (name.empty()) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "-%08x", next_channel_sequence());
    name = init.tech + "/" + init.resource + suffix;
  }
  std::string uid = init.uniqueid.empty() ? make_uniqueid() : init.uniqueid;
  std::string linked = init.requestor ? init.requestor->linkedid() : uid;
  auto chan = std::make_shared<Channel>(*this, std::move(name), std::move(uid), std::move(linked),
                                        init.direction, std::move(init.impl));
  if (init.requestor) {
    chan->inherit_variables_from(*init.requestor);
    chan->set_language(init.requestor->language());
    chan->set_accountcode(init.requestor->accountcode());
  }
  {
    std::lock_guard lock(mu_);
    channels_[chan->name()] = chan;
  }
  calls_processed_.fetch_add(1);
  ChannelCreated ev;
  ev.channel = chan->snapshot();
  events_.emit(std::move(ev));
  device_states_->channel_state(chan->name(), std::nullopt, chan->state());
  return chan;
}

void Engine::channel_gone(const Channel& c) {
  std::lock_guard lock(mu_);
  channels_.erase(c.name());
  if (channels_.empty()) {
    if (graceful_pending_) stop_requested_ = true;
    stop_cv_.notify_all();
  }
}

Result<Channel::Ptr> Engine::request(std::string_view dial_string, const Channel* requestor,
                                     std::vector<media::Format> formats) {
  ChannelRequest req;
  req.requestor = requestor;
  req.formats = std::move(formats);
  return request_channel(dial_string, std::move(req));
}

Result<Channel::Ptr> Engine::request_channel(std::string_view dial_string, ChannelRequest req) {
  if (!accepting_.load()) return fail("engine is shutting down; new channels are refused");
  auto slash = dial_string.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return fail("dial string '" + std::string(dial_string) + "' is not Tech/resource");
  auto tech = dial_string.substr(0, slash);
  auto driver = drivers_.find(tech);
  if (!driver) return fail("No such channel technology '" + std::string(tech) + "'");
  if (options_.max_channels && channel_count() >= options_.max_channels)
    return fail("channel limit (" + std::to_string(options_.max_channels) + ") reached");
  for (const auto* id : {&req.uniqueid, &req.other_uniqueid})
    if (!id->empty() && find_channel(*id)) return fail("uniqueid '" + *id + "' is already in use");
  req.resource = std::string(dial_string.substr(slash + 1));
  return driver->request(*this, req);
}

std::vector<Channel::Ptr> Engine::channels() const {
  std::lock_guard lock(mu_);
  std::vector<Channel::Ptr> out;
  out.reserve(channels_.size());
  for (auto& [n, c] : channels_) out.push_back(c);
  return out;
}

Channel::Ptr Engine::find_channel(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = channels_.find(key);
  if (it != channels_.end()) return it->second;
  for (auto& [n, c] : channels_)
    if (c->uniqueid() == key) return c;
  return nullptr;
}

std::size_t Engine::channel_count() const {
  std::lock_guard lock(mu_);
  return channels_.size();
}

void Engine::register_bridge(const std::shared_ptr<Bridge>& bridge) {
  std::lock_guard lock(mu_);
  // Pruned here so the list stays as long as the number of live bridges, not of all ever made.
  std::erase_if(bridges_, [](const std::weak_ptr<Bridge>& w) { return w.expired(); });
  bridges_.push_back(bridge);
}

std::vector<std::shared_ptr<Bridge>> Engine::bridges() const {
  std::vector<std::shared_ptr<Bridge>> out;
  {
    std::lock_guard lock(mu_);
    out.reserve(bridges_.size());
    for (const auto& w : bridges_)
      if (auto b = w.lock()) out.push_back(std::move(b));
  }
  // dissolved() takes the bridge's own lock: checked outside the engine lock.
  std::erase_if(out, [](const std::shared_ptr<Bridge>& b) { return b->dissolved(); });
  return out;
}

std::shared_ptr<Bridge> Engine::find_bridge(std::string_view uniqueid) const {
  for (auto& b : bridges())
    if (b->uniqueid() == uniqueid) return b;
  return nullptr;
}

}  // namespace telephony
