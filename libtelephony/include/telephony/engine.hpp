// Engine: the heart a host application creates. It owns the thread pool (one io_context run by a
// fixed number of threads — never a thread per call), the bounded worker pool for blocking work,
// the event bus, the live channels, and the registries of channel drivers, applications,
// functions, console commands and modules.
//
//   telephony::Engine engine({.threads = 4});
//   engine.drivers().add("Local", std::make_shared<telephony::LocalDriver>());
//   engine.start();
//   auto chan = engine.request("Local/100@default");
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/console.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/driver.hpp"
#include "telephony/events.hpp"
#include "telephony/logger.hpp"
#include "telephony/module.hpp"
#include "telephony/pbx.hpp"
#include "telephony/registry.hpp"

namespace telephony {

class Bridge;
class AstDb;

// Where things live; telephony.conf [directories] fills these (Asterisk's ast*dir names too).
struct Directories {
  std::filesystem::path config;       // astetcdir
  std::filesystem::path spool = "/var/spool/telephony";            // astspooldir
  std::filesystem::path sounds = "/usr/share/asterisk/sounds";     // soundsdir (Debian's prompts)
  std::filesystem::path run = "/run/telephony";                    // astrundir
  std::filesystem::path db = "/var/lib/telephony";                 // astdbdir
  std::filesystem::path log = "/var/log/telephony";                // astlogdir
  std::filesystem::path recordings = "/var/spool/telephony/monitor";  // recordings
  std::filesystem::path data = "/usr/share/telephony";             // astdatadir (moh, keys)
};

struct EngineOptions {
  unsigned threads = 0;         // 0: std::thread::hardware_concurrency()
  unsigned worker_threads = 2;  // blocking work: System(), SQLite, big file I/O
  std::string system_name;      // prefixes uniqueids when set, as Asterisk's systemname
  Directories dirs;
  std::size_t max_channels = 0;  // 0: unlimited
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts the thread pool and publishes EngineFullyBooted. Idempotent.
  void start();
  // Hangs up every channel, waits up to `grace` for them to go, stops the threads. Call it from a
  // thread that is not one of the engine's (a host's main thread).
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(2));
  bool running() const { return running_.load(); }
  bool accepting_calls() const { return accepting_.load(); }

  // Stop requests from inside (console `core stop …`, signals): the host's main thread waits for
  // one and then calls stop(). Gracefully: new channels are refused at once, and the request is
  // delivered when the last channel is gone.
  enum class StopMode { Now, Gracefully };
  void request_stop(StopMode mode);
  StopMode wait_for_stop_request();
  // `core restart …`: a stop request after which the host starts itself again.
  void request_restart(StopMode mode);
  bool restart_requested() const { return restart_requested_.load(); }

  boost::asio::io_context& io() { return io_; }
  // Runs blocking work off the call threads; `done` is posted back to the io_context.
  void run_blocking(std::function<void()> job);
  const EngineOptions& options() const { return options_; }
  std::chrono::system_clock::time_point started_at() const { return started_at_; }
  std::chrono::system_clock::time_point last_reload() const;
  void mark_reloaded();

  EventBus& events() { return events_; }
  Logger& log() { return logger_; }
  Registry<ChannelDriver>& drivers() { return drivers_; }
  Registry<dialplan::Application>& applications() { return applications_; }
  Registry<dialplan::Function>& functions() { return functions_; }
  ConsoleCommands& commands() { return commands_; }
  // The persistent key/value store (DB() and `database …`): `<dirs.db>/astdb.sqlite3`, opened on
  // first use (see astdb.hpp).
  AstDb& astdb() { return *astdb_; }
  // Device states for hints, DeviceStateList, Page()'s `s`, DEVICE_STATE(): drivers push what
  // they know, channels count themselves (see device_state.hpp).
  DeviceStates& device_states() { return *device_states_; }

  // Queues outside the event bus (AMI session write queues, CDR backends): `core show
  // taskprocessors` and the metrics list what each reporter returns. An empty reporter removes.
  using QueueReporter = std::function<std::vector<EventBus::SubscriberStats>()>;
  void set_queue_reporter(const std::string& key, QueueReporter reporter);
  std::vector<QueueReporter> queue_reporters_snapshot() const;

  // Modules in load order.
  void add_module(std::shared_ptr<Module> m);
  // Forgets a module (`module unload`); the caller unloads it first.
  bool remove_module(std::string_view name);
  std::vector<std::shared_ptr<Module>> modules() const;
  std::shared_ptr<Module> module(std::string_view name) const;

  // The PBX (dialplan) that runs channels; null until a dialplan module sets one.
  void set_pbx(std::shared_ptr<Pbx> pbx);
  std::shared_ptr<Pbx> pbx() const;

  // --- channels ------------------------------------------------------------------------------
  // For drivers: a new channel named "<tech>/<resource>-<8 hex>" (suffix appended unless
  // `exact_name`), registered, with linkedid and inherited variables from `requestor`.
  struct ChannelInit {
    std::string tech;
    std::string resource;
    std::unique_ptr<ChannelTech> impl;
    const Channel* requestor = nullptr;
    ChannelDirection direction = ChannelDirection::Outbound;
    std::string name_override;  // full name, used by Local pairs (";1"/";2")
    std::string uniqueid;       // AMI ChannelId / Originate ChannelId; empty: generated
  };
  Channel::Ptr create_channel(ChannelInit init);
  // Next value of the global channel sequence ("-0000001a" suffixes), for drivers naming pairs.
  std::uint32_t next_channel_sequence();
  std::string make_uniqueid();

  // "Tech/resource" -> a new outbound channel from the registered driver.
  Result<Channel::Ptr> request(std::string_view dial_string, const Channel* requestor = nullptr,
                               std::vector<media::Format> formats = {});
  // The same with every ChannelRequest field (uniqueids for Originate's ChannelId); `req.resource`
  // is filled from the dial string. Fails when a requested uniqueid is already in use.
  Result<Channel::Ptr> request_channel(std::string_view dial_string, ChannelRequest req);

  std::vector<Channel::Ptr> channels() const;
  Channel::Ptr find_channel(std::string_view name_or_uniqueid) const;
  std::size_t channel_count() const;
  std::uint64_t calls_processed() const { return calls_processed_.load(); }

  // --- bridges -------------------------------------------------------------------------------
  // Bridge::create registers every bridge here weakly: the engine never keeps a bridge alive,
  // it only lets AMI (BridgeList/BridgeInfo/...) and the console find the live ones.
  void register_bridge(const std::shared_ptr<Bridge>& bridge);
  // Live bridges that are not dissolved, in creation order.
  std::vector<std::shared_ptr<Bridge>> bridges() const;
  std::shared_ptr<Bridge> find_bridge(std::string_view uniqueid) const;

 private:
  friend class Channel;
  void channel_gone(const Channel& c);  // called by Channel::do_hangup

  EngineOptions options_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::unique_ptr<boost::asio::thread_pool> workers_;
  std::atomic<bool> running_{false};
  std::atomic<bool> accepting_{true};
  std::atomic<bool> restart_requested_{false};
  std::chrono::system_clock::time_point started_at_{};
  std::chrono::system_clock::time_point reloaded_at_{};

  Logger logger_;
  EventBus events_;
  Registry<ChannelDriver> drivers_;
  Registry<dialplan::Application> applications_;
  Registry<dialplan::Function> functions_;
  ConsoleCommands commands_;
  std::unique_ptr<AstDb> astdb_;
  std::unique_ptr<DeviceStates> device_states_;

  mutable std::mutex mu_;
  std::map<std::string, Channel::Ptr, std::less<>> channels_;  // by name
  std::vector<std::shared_ptr<Module>> modules_;
  std::vector<std::weak_ptr<Bridge>> bridges_;
  std::map<std::string, QueueReporter, std::less<>> queue_reporters_;
  std::shared_ptr<Pbx> pbx_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
  bool graceful_pending_ = false;

  std::atomic<std::uint32_t> channel_seq_{0};
  std::atomic<std::uint64_t> uniqueid_seq_{0};
  std::atomic<std::uint64_t> calls_processed_{0};
};

}  // namespace telephony
