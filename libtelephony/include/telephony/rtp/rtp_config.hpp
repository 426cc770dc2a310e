// rtp.conf: the engine-wide RTP settings Asterisk users know (res_rtp_asterisk's [general]) and
// the module that loads them.
//
// Keys read from [general]: rtpstart, rtpend (port range, RTP on even ports, RTCP on the next
// odd one), rtcpinterval (ms, 500..60000, 0 disables RTCP reports), strictrtp (yes/no/seqno),
// probation (packets in sequence before a new source is learned), dtmftimeout (samples of
// 1/8000 s after which a telephone-event without an end is ended), srtpreplayprotection,
// rtpchecksums (accepted, the kernel always checksums), icesupport/stunaddr/turn*
// (accepted and ignored: no ICE here). Our own: `io_threads` (RTP shard threads, default the
// number of cores). A value that does not parse is an error naming file:line; a failed reload
// keeps the running settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "telephony/config/config.hpp"
#include "telephony/module.hpp"
#include "telephony/module_hooks.hpp"
#include "telephony/result.hpp"

namespace telephony {
class Engine;
}

namespace telephony::rtp {

class RtpStack;

enum class StrictRtp : std::uint8_t { No, Yes, SeqNo };

struct RtpConfig {
  std::uint16_t rtp_start = 5000;
  std::uint16_t rtp_end = 31000;
  std::chrono::milliseconds rtcp_interval{5000};
  StrictRtp strict_rtp = StrictRtp::Yes;
  unsigned probation = 4;
  std::uint32_t dtmf_timeout_samples = 3000;
  bool srtp_replay_protection = true;
  unsigned io_threads = 0;  // 0: hardware threads (fixed at first start)
  std::string bind_address = "0.0.0.0";  // default for endpoints without one
};

Result<RtpConfig, Errors> rtp_config_from(const config::ConfigFile& file);

class RtpModule : public Module, public ModulesLoadedHook {
 public:
  explicit RtpModule(Engine& engine) : engine_(engine) {}
  ~RtpModule() override;
  std::string_view name() const override { return "res_rtp_asterisk"; }
  std::string_view config_file() const override { return "rtp.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  void unload() override;

  RtpConfig config() const;
  void set_config(RtpConfig c);  // hosts without rtp.conf, tests
  // The running stack (port range, shards); started on first use.
  std::shared_ptr<RtpStack> stack();
  // The stack if one runs, without starting one.
  std::shared_ptr<RtpStack> running_stack() const;
  // Registers the RTP families (telephony_rtp_*) with res_prometheus when it is loaded.
  void modules_loaded() override;

 private:
  Engine& engine_;
  mutable std::mutex mu_;
  RtpConfig config_;
  std::shared_ptr<RtpStack> stack_;
};

// The engine's RTP module; one with default settings is added when the host loaded none.
std::shared_ptr<RtpModule> rtp_module(Engine& engine);

}  // namespace telephony::rtp
