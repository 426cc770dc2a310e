// Shards, port allocation, rtp.conf and the module (see rtp/rtp_stack.hpp, rtp/rtp_config.hpp).
#include "rtp/rtp_stack.hpp"

#include <pthread.h>
#include <unistd.h>
#include <sys/random.h>

#include <boost/asio/ip/address.hpp>

#include "rtp/text.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/engine.hpp"
#include "telephony/rtp/channel_items.hpp"

namespace telephony::rtp {

namespace asio = boost::asio;
using asio::ip::udp;

ReceiveBatch::ReceiveBatch() {
  for (std::size_t i = 0; i < kPackets; ++i) {
    iov[i].iov_base = data[i].data();
    iov[i].iov_len = data[i].size();
    headers[i] = {};
    headers[i].msg_hdr.msg_iov = &iov[i];
    headers[i].msg_hdr.msg_iovlen = 1;
    headers[i].msg_hdr.msg_name = &from[i];
    headers[i].msg_hdr.msg_namelen = sizeof(from[i]);
  }
}

SendBatch::SendBatch() {
  for (std::size_t i = 0; i < kPackets; ++i) {
    iov[i].iov_base = data[i].data();
    headers[i] = {};
    headers[i].msg_hdr.msg_iov = &iov[i];
    headers[i].msg_hdr.msg_iovlen = 1;
    headers[i].msg_hdr.msg_name = &to[i];
  }
}

std::size_t SendBatch::flush() {
  std::size_t refused = 0;
  std::size_t done = 0;
  while (done < count) {
    const int n = ::sendmmsg(fd, headers.data() + done, static_cast<unsigned>(count - done), MSG_DONTWAIT);
    if (n <= 0) {
      // A full socket buffer or an unreachable peer: RTP is not retried, the packet is lost.
      ++refused;
      ++done;
      continue;
    }
    done += static_cast<std::size_t>(n);
  }
  count = 0;
  return refused;
}

PollSet::PollSet(boost::asio::io_context& io) : epfd_(::epoll_create1(EPOLL_CLOEXEC)), descriptor_(io) {
  boost::system::error_code ec;
  // Asio owns (and closes) a duplicate; we keep using our own number for epoll_ctl/epoll_wait.
  if (epfd_ >= 0) descriptor_.assign(::dup(epfd_), ec);
}

PollSet::~PollSet() {
  boost::system::error_code ec;
  descriptor_.close(ec);
  if (epfd_ >= 0) ::close(epfd_);
}

Result<void> PollSet::add(int fd, Slot* slot) {
  ::epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = slot;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) return fail("epoll_ctl ADD failed", "rtp");
  ++registered_;
  if (!armed_) arm();
  return {};
}

void PollSet::remove(int fd) {
  ::epoll_event ev{};
  if (::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev) == 0 && registered_ > 0) --registered_;
}

void PollSet::retire(std::shared_ptr<void> keep) { retired_.push_back(std::move(keep)); }

void PollSet::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  descriptor_.cancel(ec);
}

void PollSet::arm() {
  if (stopped_) return;
  armed_ = true;
  descriptor_.async_wait(boost::asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    armed_ = false;
    if (ec || stopped_) return;
    process();
    // Asio watches the set edge-triggered. A packet arriving after process() looked still leaves
    // an edge in Asio's epoll queue, which its reactor reads only after this handler returned —
    // on this same thread, since a shard's io_context has exactly one — so the wait armed here
    // sees it.
    arm();
  });
}

void PollSet::process() {
  for (;;) {
    const int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), 0);
    for (int i = 0; i < n; ++i) {
      auto* slot = static_cast<Slot*>(events_[static_cast<std::size_t>(i)].data.ptr);
      slot->ready(slot->owner, slot->rtcp);
    }
    retired_.clear();
    if (n < static_cast<int>(events_.size())) break;
  }
}

Shard::Shard(unsigned i) : index(i) {}

RtpStack::RtpStack(RtpConfig config) : config_(std::make_shared<const RtpConfig>(config)) {
  unsigned n = config.io_threads ? config.io_threads : std::max(1u, std::thread::hardware_concurrency());
  std::uint32_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) seed = 0;
  cursor_ = seed;
  for (unsigned i = 0; i < n; ++i) {
    auto s = std::make_unique<Shard>(i);
    s->work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(s->io.get_executor());
    Shard* raw = s.get();
    s->thread = std::thread([raw] { raw->io.run(); });
    // Named so that `top -H`, perf and the benchmarks can tell the RTP shards apart.
    const std::string name = "rtp-shard-" + std::to_string(i);
    pthread_setname_np(s->thread.native_handle(), name.c_str());
    shards_.push_back(std::move(s));
  }
}

RtpStack::~RtpStack() { stop(); }

void RtpStack::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  for (auto& s : shards_) {
    asio::post(s->io, [raw = s.get()] {
      raw->wheel.stop();
      raw->poll.stop();
    });
    s->work.reset();
  }
  for (auto& s : shards_) {
    s->io.stop();
    if (s->thread.joinable()) s->thread.join();
  }
  // Run what was queued after the threads stopped (sessions closing, aborted waits) here, so
  // their streams and sockets are released instead of waiting in the queue forever.
  for (auto& s : shards_) {
    s->wheel.stop();
    s->poll.stop();
    s->io.restart();
    while (s->io.poll() > 0) {
    }
  }
}

std::shared_ptr<const RtpConfig> RtpStack::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void RtpStack::set_config(RtpConfig c) {
  auto snap = std::make_shared<const RtpConfig>(std::move(c));
  std::lock_guard lock(mu_);
  config_ = std::move(snap);
}

Shard& RtpStack::least_loaded_shard() {
  Shard* best = shards_.front().get();
  for (auto& s : shards_)
    if (s->streams.load(std::memory_order_relaxed) < best->streams.load(std::memory_order_relaxed)) best = s.get();
  return *best;
}

Result<SocketPair> RtpStack::open_pair(Shard& shard, const std::string& address) {
  auto cfg = config();
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address.empty() ? cfg->bind_address : address, ec);
  if (ec) return fail("cannot bind RTP to '" + address + "': not an IP address", "rtp");
  const std::uint32_t first = (cfg->rtp_start + 1u) & ~1u;  // even
  const std::uint32_t last = cfg->rtp_end;
  if (first + 1 > last) return fail("rtpstart/rtpend leave no even/odd port pair", "rtp.conf");
  const std::uint32_t pairs = (last - first + 1) / 2;
  const std::uint32_t start = cursor_.fetch_add(1, std::memory_order_relaxed);
  for (std::uint32_t i = 0; i < pairs; ++i) {
    const auto port = static_cast<std::uint16_t>(first + 2 * ((start + i) % pairs));
    udp::socket rtp(shard.io), rtcp(shard.io);
    rtp.open(addr.is_v6() ? udp::v6() : udp::v4(), ec);
    if (ec) return fail("cannot open an RTP socket: " + ec.message(), "rtp");
    rtp.bind(udp::endpoint(addr, port), ec);
    if (ec) continue;
    rtcp.open(addr.is_v6() ? udp::v6() : udp::v4(), ec);
    if (ec) return fail("cannot open an RTCP socket: " + ec.message(), "rtp");
    rtcp.bind(udp::endpoint(addr, static_cast<std::uint16_t>(port + 1)), ec);
    if (ec) continue;
    rtp.non_blocking(true);
    rtcp.non_blocking(true);
    // Room for a burst of ~0.5 s of a busy relay without drops when the shard is late.
    rtp.set_option(asio::socket_base::receive_buffer_size(256 * 1024), ec);
    cursor_.store(start + i + 1, std::memory_order_relaxed);
    return SocketPair{std::move(rtp), std::move(rtcp)};
  }
  return fail("no free RTP port pair in " + std::to_string(cfg->rtp_start) + "-" + std::to_string(cfg->rtp_end) +
                  " on " + addr.to_string(),
              "rtp.conf");
}

// ---- rtp.conf ----------------------------------------------------------------------------------

Result<RtpConfig, Errors> rtp_config_from(const config::ConfigFile& file) {
  RtpConfig c;
  Errors errors;
  const auto* general = file.section("general");
  if (!general) return c;
  auto number = [&](const config::Entry& e, long lo, long hi) -> std::optional<long> {
    auto v = parse_uint<unsigned long>(trim(e.value));
    if (!v || static_cast<long>(*v) < lo || static_cast<long>(*v) > hi) {
      errors.items.push_back({e.name + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                                  " (got '" + e.value + "')",
                              e.where.to_string()});
      return std::nullopt;
    }
    return static_cast<long>(*v);
  };
  for (const auto& e : general->entries) {
    const std::string& k = e.name;
    if (iequals(k, "rtpstart")) {
      if (auto v = number(e, 1024, 65535)) c.rtp_start = static_cast<std::uint16_t>(*v);
    } else if (iequals(k, "rtpend")) {
      if (auto v = number(e, 1024, 65535)) c.rtp_end = static_cast<std::uint16_t>(*v);
    } else if (iequals(k, "rtcpinterval")) {
      if (auto v = number(e, 0, 60000)) c.rtcp_interval = std::chrono::milliseconds(*v == 0 ? 0 : std::max(*v, 500L));
    } else if (iequals(k, "strictrtp")) {
      if (iequals(trim(e.value), "seqno")) c.strict_rtp = StrictRtp::SeqNo;
      else c.strict_rtp = config::is_true_word(e.value) ? StrictRtp::Yes : StrictRtp::No;
    } else if (iequals(k, "probation")) {
      if (auto v = number(e, 1, 1000)) c.probation = static_cast<unsigned>(*v);
    } else if (iequals(k, "dtmftimeout")) {
      if (auto v = number(e, 0, 240000)) c.dtmf_timeout_samples = static_cast<std::uint32_t>(*v);
    } else if (iequals(k, "srtpreplayprotection")) {
      c.srtp_replay_protection = config::is_true_word(e.value);
    } else if (iequals(k, "io_threads")) {
      if (auto v = number(e, 0, 256)) c.io_threads = static_cast<unsigned>(*v);
    } else if (iequals(k, "bindaddr")) {
      boost::system::error_code ec;
      asio::ip::make_address(std::string(trim(e.value)), ec);
      if (ec) errors.items.push_back({"bindaddr '" + e.value + "' is not an IP address", e.where.to_string()});
      else c.bind_address = std::string(trim(e.value));
    }
    // rtpchecksums, icesupport, stun*, turn*, dtls*: accepted, not used (docs/rtp.md).
  }
  if (c.rtp_start >= c.rtp_end)
    errors.items.push_back({"rtpstart (" + std::to_string(c.rtp_start) + ") must be below rtpend (" +
                                std::to_string(c.rtp_end) + ")",
                            general->where.to_string()});
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return c;
}

RtpModule::~RtpModule() { unload(); }

Result<void, Errors> RtpModule::check(const std::filesystem::path& dir) {
  auto file = config::load_module_config(dir, config_file());
  if (!file) return Unexpected<Errors>{file.error()};
  auto c = rtp_config_from(*file);
  if (!c) return Unexpected<Errors>{c.error()};
  return {};
}

Result<void, Errors> RtpModule::load(const std::filesystem::path& dir) {
  auto file = config::load_module_config(dir, config_file());
  if (!file) return Unexpected<Errors>{file.error()};
  auto c = rtp_config_from(*file);
  if (!c) return Unexpected<Errors>{c.error()};
  set_config(std::move(*c));
  register_rtp_console_commands(engine_);
  return {};
}

void RtpModule::unload() {
  std::shared_ptr<RtpStack> s;
  {
    std::lock_guard lock(mu_);
    s = std::move(stack_);
  }
  if (s) s->stop();
}

RtpConfig RtpModule::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void RtpModule::set_config(RtpConfig c) {
  std::lock_guard lock(mu_);
  config_ = c;
  if (stack_) stack_->set_config(std::move(c));
}

std::shared_ptr<RtpStack> RtpModule::stack() {
  std::lock_guard lock(mu_);
  if (!stack_) stack_ = std::make_shared<RtpStack>(config_);
  return stack_;
}

std::shared_ptr<RtpModule> rtp_module(Engine& engine) {
  static std::mutex create_mu;
  std::lock_guard lock(create_mu);
  if (auto m = std::dynamic_pointer_cast<RtpModule>(engine.module("res_rtp_asterisk"))) return m;
  auto m = std::make_shared<RtpModule>(engine);
  engine.add_module(m);
  register_rtp_console_commands(engine);
  return m;
}

}  // namespace telephony::rtp
