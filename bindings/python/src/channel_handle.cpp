#include "channel_handle.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "errors.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/playback.hpp"

namespace telephony::python {

namespace asio = boost::asio;

namespace {

Operation::Maker hangup_error(const Channel& chan) {
  return error_result(exception_types().hangup, "channel " + chan.name() + " was hung up");
}

Operation::Maker string_result(std::string s) {
  return [s = std::move(s)] { return py::object(py::str(s)); };
}

std::vector<std::string> split_prompts(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    if (amp > start) out.emplace_back(text.substr(start, amp - start));
    start = amp + 1;
  }
  return out;
}

// "NAME(args)" -> {NAME, args}; nullopt for a plain variable name.
std::optional<std::pair<std::string, std::string>> split_function(std::string_view v) {
  const auto open = v.find('(');
  if (open == std::string_view::npos || open == 0 || v.back() != ')') return std::nullopt;
  return std::pair{std::string(v.substr(0, open)), std::string(v.substr(open + 1, v.size() - open - 2))};
}

}  // namespace

ChannelHandle::ChannelHandle(std::shared_ptr<EngineHost> host, Channel::Ptr chan, std::shared_ptr<AppCall> call)
    : host_(std::move(host)), chan_(std::move(chan)), call_(std::move(call)) {}

bool ChannelHandle::gone() const {
  return chan_->is_hung_up() || chan_->hangup_requested() || (call_ && call_->abandoned());
}

// Runs `body(chan)` (an awaitable returning the Operation::Maker) on the channel's strand and
// completes the tracked operation with it. Engine-side closures hold a raw host pointer: see
// run_python_app in python_apps.cpp for why that is safe and a shared_ptr is not.
template <class Body>
std::shared_ptr<Operation> ChannelHandle::on_strand(Body body) {
  auto op = host_->track(std::make_shared<Operation>());
  if (op->done()) return op;
  if (gone()) {
    op->complete(hangup_error(*chan_));
    host_->untrack(op.get());
    return op;
  }
  EngineHost* host = host_.get();
  auto call = call_;
  auto chan = chan_;
  asio::co_spawn(
      chan->strand(),
      [op, host, chan, call, body = std::move(body)]() mutable -> asio::awaitable<void> {
        Operation::Maker result;
        try {
          if (chan->is_hung_up() || chan->hangup_requested() || (call && call->abandoned())) {
            result = hangup_error(*chan);
          } else {
            result = co_await body(chan);
          }
        } catch (const std::exception& e) {
          result = error_result(exception_types().error, e.what());
        }
        op->complete(std::move(result));
        host->untrack(op.get());
      },
      asio::detached);
  return op;
}

std::shared_ptr<Operation> ChannelHandle::answer() {
  EngineCall released;
  return on_strand([](Channel::Ptr chan) -> asio::awaitable<Operation::Maker> {
    chan->answer();
    co_return none_result();
  });
}

std::shared_ptr<Operation> ChannelHandle::hangup(int cause) {
  EngineCall released;
  auto op = host_->track(std::make_shared<Operation>());
  if (op->done()) return op;
  // Any thread, and allowed on a channel that is already going: hanging up is idempotent.
  chan_->request_hangup(static_cast<HangupCause>(cause));
  op->complete(none_result());
  host_->untrack(op.get());
  return op;
}

std::shared_ptr<Operation> ChannelHandle::play(std::string prompts, std::string interrupt) {
  EngineCall released;
  return on_strand([prompts = std::move(prompts),
                    interrupt = std::move(interrupt)](Channel::Ptr chan) -> asio::awaitable<Operation::Maker> {
    auto names = split_prompts(prompts);
    if (names.empty()) co_return error_result(PyExc_ValueError, "play() needs a prompt name");
    // As Playback(): a channel that is not up yet is answered first.
    if (chan->state() != ChannelState::Up) chan->answer();
    media::stop_generator(chan);
    media::PlayOptions po;
    po.interrupt_digits = interrupt;
    auto r = co_await media::play_files(chan, std::move(names), std::move(po));
    switch (r.status) {
      case media::PlayStatus::Played: co_return string_result("");
      case media::PlayStatus::Interrupted: co_return string_result(std::string(1, r.digit));
      case media::PlayStatus::NotFound:
        co_return error_result(exception_types().prompt_not_found,
                               r.error.empty() ? "prompt '" + r.file + "' not found" : r.error);
      case media::PlayStatus::HungUp: co_return hangup_error(*chan);
      case media::PlayStatus::Failed: break;
    }
    co_return error_result(exception_types().error, "playing '" + r.file + "' failed: " + r.error);
  });
}

std::shared_ptr<Operation> ChannelHandle::read_digits(int count, double timeout, std::string terminators) {
  EngineCall released;
  const auto per_digit = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  return on_strand([count, per_digit,
                    terminators = std::move(terminators)](Channel::Ptr chan) -> asio::awaitable<Operation::Maker> {
    std::string digits;
    while (static_cast<int>(digits.size()) < count) {
      const auto deadline = std::chrono::steady_clock::now() + per_digit;
      std::optional<char> digit;
      for (;;) {
        if (chan->hangup_requested()) co_return hangup_error(*chan);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        auto f = co_await chan->read(left);
        if (f && f->kind == FrameKind::DtmfEnd) {
          digit = f->digit();
          break;
        }
      }
      if (!digit) break;  // timed out: what we have
      if (terminators.find(*digit) != std::string::npos) break;
      digits += *digit;
    }
    co_return string_result(std::move(digits));
  });
}

std::optional<std::string> ChannelHandle::get_variable(const std::string& name) {
  auto fn_call = split_function(name);
  if (!fn_call) {
    EngineCall released;
    return chan_->variable(name);
  }
  Result<std::string> value = std::string();
  {
    EngineCall released;
    auto fn = host_->engine().functions().find(fn_call->first);
    if (!fn) value = fail("no such function " + fn_call->first);
    else if (!fn->read) value = fail(fn_call->first + " cannot be read");
    else value = fn->read(dialplan::FunctionCall{host_->engine(), chan_.get(), fn_call->first, fn_call->second});
  }
  if (!value) raise_error(exception_types().error, value.error().to_string());
  return *value;
}

void ChannelHandle::set_variable(const std::string& name, const std::string& value) {
  auto fn_call = split_function(name);
  if (!fn_call) {
    EngineCall released;
    chan_->set_variable(name, value);
    return;
  }
  Result<void> r;
  {
    EngineCall released;
    auto fn = host_->engine().functions().find(fn_call->first);
    if (!fn) r = fail("no such function " + fn_call->first);
    else if (!fn->write) r = fail(fn_call->first + " cannot be written");
    else r = fn->write(dialplan::FunctionCall{host_->engine(), chan_.get(), fn_call->first, fn_call->second}, value);
  }
  if (!r) raise_error(exception_types().error, r.error().to_string());
}

}  // namespace telephony::python
