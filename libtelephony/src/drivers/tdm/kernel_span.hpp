// Internal: the /dev/dahdi kernel backend. Built only when dahdi/user.h was found at configure
// time (TELEPHONY_WITH_DAHDI, cmake/TelephonyDrivers.cmake); otherwise probe_kernel() says so and
// system.conf can only declare software spans.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "soft_spans.hpp"
#include "telephony/tdm/span.hpp"

namespace telephony::tdm {

struct KernelSpanInfo {
  int number = 0;
  std::string name;
  std::string description;
  int first_channel = 0;
  int channels = 0;
  Law law = Law::Ulaw;
  std::uint8_t alarms = 0;
  std::string framing = "CAS", coding = "AMI";
};

struct KernelInventory {
  bool available = false;
  std::string why;  // when unavailable: "built without DAHDI kernel support", "/dev/dahdi/ctl: ..."
  std::vector<KernelSpanInfo> spans;
};

KernelInventory probe_kernel();

// Opens the span's channels (DAHDI_SPECIFY) as SpanChannels and polls its alarms.
Result<std::shared_ptr<Span>> make_kernel_span(boost::asio::io_context& io, const KernelSpanInfo& info, SpanLog log);

}  // namespace telephony::tdm
