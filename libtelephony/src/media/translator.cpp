// Translation graph: measured edge costs, Dijkstra routes, and per-call TranslatorPath state.
#include "telephony/media/translator.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <numbers>

#include "telephony/media/codec.hpp"
#include "telephony/media/g722.hpp"
#include "translator_steps.hpp"

namespace telephony::media {
namespace {

// A speech-like probe signal: two tones plus a little deterministic noise so codecs do real work.
std::vector<std::int16_t> probe_signal(std::uint32_t rate, std::size_t n, std::size_t offset) {
  std::vector<std::int16_t> v(n);
  std::uint32_t lcg = 12345 + static_cast<std::uint32_t>(offset);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i + offset) / rate;
    lcg = lcg * 1664525u + 1013904223u;
    const double noise = static_cast<double>(static_cast<std::int32_t>(lcg >> 16) - 32768) / 32768.0;
    v[i] = static_cast<std::int16_t>(6000 * std::sin(2 * std::numbers::pi * 440 * t) +
                                     3000 * std::sin(2 * std::numbers::pi * 1250 * t) +
                                     500 * noise);
  }
  return v;
}

// Builds one 20 ms frame in `f` for timing a step that consumes `f`.
std::vector<std::uint8_t> probe_frame(Format f) {
  if (f.codec == Codec::Slin) {
    auto s = probe_signal(f.rate, samples_per_frame(f.rate), 0);
    auto b = slin_bytes(s);
    return {b.begin(), b.end()};
  }
  auto s = probe_signal(8000, 160, 0);
  std::vector<std::uint8_t> out(160);
  if (f.codec == Codec::Ulaw) g711::ulaw_encode(s, out);
  if (f.codec == Codec::Alaw) g711::alaw_encode(s, out);
  if (f.codec == Codec::G722) {
    auto s16 = probe_signal(16000, 320, 0);
    G722Encoder enc;
    enc.encode(s16, out);
  }
  if (f.codec == Codec::Opus) {
    auto enc = OpusFrameEncoder::create();
    out.assign(kMaxOpusPacket, 0);
    std::size_t n = 0;
    if (enc) {
      for (int i = 0; i < 5; ++i) {  // a few frames so the packet is a steady-state one
        auto s48 = probe_signal(48000, 960, static_cast<std::size_t>(i) * 960);
        auto r = enc->encode(s48, out);
        n = r ? *r : 0;
      }
    }
    out.resize(n);
  }
  return out;
}

constexpr double kDownsamplePenaltyUs = 10000;
constexpr double kUpsamplePenaltyUs = 100;

// Fixed cost charged per step on top of its measured CPU time: every step copies the frame once
// more and adds a place to lose precision, so of two routes within timer noise of each other the
// shorter one wins (slin16 -> opus directly rather than through slin48).
constexpr double kStepOverheadUs = 2.0;

struct Timed {
  std::unique_ptr<TranslatorStep> step;
  std::vector<std::uint8_t> frame;
  double best = std::numeric_limits<double>::max();
};

// CPU time of this thread in µs: time spent preempted by other work on a loaded machine does not
// count, which wall-clock timing would charge to whichever edge happened to be running.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Times one batch of frames through `t` and keeps the fastest batch seen.
void time_batch(Timed& t) {
  constexpr int kFrames = 10;
  const double t0 = thread_cpu_us();
  for (int i = 0; i < kFrames; ++i) (void)t.step->process(t.frame);
  t.best = std::min(t.best, (thread_cpu_us() - t0) / kFrames);
}

}  // namespace

// ---- TranslationGraph -------------------------------------------------------------------------

TranslationGraph TranslationGraph::measure() {
  TranslationGraph g;
  g.formats_ = {Format::ulaw(),        Format::alaw(),        Format::slin(8000),
                Format::slin(16000),   Format::slin(48000),   Format::g722(),
                Format::opus()};
  const std::size_t n = g.formats_.size();
  g.cost_.assign(n * n, -1.0);
  // Every edge is timed in interleaved rounds (min over the rounds), so a burst of load from
  // elsewhere on the machine slows one round of every edge instead of all rounds of one edge.
  struct Edge {
    std::size_t cell;
    Timed timed;
  };
  std::vector<Edge> edges;
  for (const auto& e : detail::known_steps()) {
    auto a = g.index_of(e.from), b = g.index_of(e.to);
    if (!a || !b) continue;
    auto step = detail::create_step(e.from, e.to);
    if (!step) continue;
    edges.push_back(Edge{*a * n + *b, Timed{std::move(*step), probe_frame(e.from)}});
  }
  constexpr int kRounds = 7;
  for (int round = 0; round < kRounds; ++round)
    for (auto& e : edges) time_batch(e.timed);
  // The floor keeps a chain of near-free steps from beating one real step on timer noise.
  for (auto& e : edges) g.cost_[e.cell] = std::max(e.timed.best, 0.05) + kStepOverheadUs;
  return g;
}

const TranslationGraph& TranslationGraph::shared() {
  static const TranslationGraph graph = measure();
  return graph;
}

std::optional<std::size_t> TranslationGraph::index_of(Format f) const {
  for (std::size_t i = 0; i < formats_.size(); ++i)
    if (formats_[i] == f) return i;
  return std::nullopt;
}

std::optional<double> TranslationGraph::step_cost_us(Format from, Format to) const {
  auto a = index_of(from), b = index_of(to);
  if (!a || !b) return std::nullopt;
  const double c = cost_[*a * formats_.size() + *b];
  if (c < 0) return std::nullopt;
  return c;
}

std::vector<Format> TranslationGraph::route(Format from, Format to) const {
  auto src = index_of(from), dst = index_of(to);
  if (!src || !dst) return {};
  if (*src == *dst) return {from};
  const std::size_t n = formats_.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> dist(n, kInf);
  std::vector<std::size_t> prev(n, n);
  std::vector<bool> done(n, false);
  dist[*src] = 0;
  // Route weight = measured CPU cost + a quality penalty for every step that lowers the audio
  // bandwidth (48 kHz -> 8 kHz, or decoding Opus at a lower rate). Without it the cheapest
  // route for slin48 -> opus would be "downsample to 8 kHz, then encode": fewer µs, telephone
  // quality. Steps into a lower-rate destination still happen when the destination needs them.
  // A pure resampling step that raises the rate costs a smaller penalty: it adds filter delay and buys nothing unless the
  // destination needs it, and measured CPU alone cannot tell "resample, then encode" from
  // "encode" when the two differ by less than the timer noise of a loaded machine.
  auto penalty = [&](std::size_t u, std::size_t v) {
    if (formats_[v].rate < formats_[u].rate) return kDownsamplePenaltyUs;
    if (formats_[v].rate > formats_[u].rate && formats_[u].codec == Codec::Slin && formats_[v].codec == Codec::Slin)
      return kUpsamplePenaltyUs;
    return 0.0;
  };
  // O(V^2) Dijkstra: the graph has a handful of nodes, a heap would only add constant cost.
  for (std::size_t iter = 0; iter < n; ++iter) {
    std::size_t u = n;
    for (std::size_t i = 0; i < n; ++i)
      if (!done[i] && dist[i] < kInf && (u == n || dist[i] < dist[u])) u = i;
    if (u == n) break;
    done[u] = true;
    for (std::size_t v = 0; v < n; ++v) {
      const double c = cost_[u * n + v];
      if (c >= 0 && dist[u] + c + penalty(u, v) < dist[v]) {
        dist[v] = dist[u] + c + penalty(u, v);
        prev[v] = u;
      }
    }
  }
  if (dist[*dst] == kInf) return {};
  std::vector<Format> r;
  for (std::size_t v = *dst; v != n; v = prev[v]) r.insert(r.begin(), formats_[v]);
  return r;
}

std::optional<double> TranslationGraph::path_cost_us(Format from, Format to) const {
  auto r = route(from, to);
  if (r.empty()) return std::nullopt;
  double total = 0;
  for (std::size_t i = 1; i < r.size(); ++i) total += *step_cost_us(r[i - 1], r[i]);
  return total;
}

Result<std::unique_ptr<TranslatorStep>> TranslationGraph::make_step(Format from, Format to) const {
  return detail::create_step(from, to);
}

Result<TranslatorPath> TranslationGraph::build_path(Format from, Format to) const {
  TranslatorPath p(this, from, to);
  if (auto r = p.rebuild(from); !r) return Unexpected<Error>{r.error()};
  return p;
}

std::string TranslationGraph::show_translation() const {
  std::string out =
      "         Translation times between formats (in microseconds) for one 20 ms frame\n"
      "          Source Format (Rows) Destination Format (Columns)\n\n";
  char cell[32];
  std::snprintf(cell, sizeof cell, "%8s", "");
  out += cell;
  for (const auto& f : formats_) {
    std::snprintf(cell, sizeof cell, "%8s", f.name().c_str());
    out += cell;
  }
  out += '\n';
  for (const auto& a : formats_) {
    std::snprintf(cell, sizeof cell, "%8s", a.name().c_str());
    out += cell;
    for (const auto& b : formats_) {
      if (a == b) {
        std::snprintf(cell, sizeof cell, "%8s", "-");
      } else if (auto c = path_cost_us(a, b)) {
        std::snprintf(cell, sizeof cell, "%8.1f", *c);
      } else {
        std::snprintf(cell, sizeof cell, "%8s", "n/a");
      }
      out += cell;
    }
    out += '\n';
  }
  return out;
}

// ---- TranslatorPath ---------------------------------------------------------------------------

TranslatorPath::TranslatorPath(const TranslationGraph* g, Format from, Format to)
    : graph_(g), from_(from), to_(to) {}
TranslatorPath::TranslatorPath(TranslatorPath&&) noexcept = default;
TranslatorPath& TranslatorPath::operator=(TranslatorPath&&) noexcept = default;
TranslatorPath::~TranslatorPath() = default;

Result<void> TranslatorPath::rebuild(Format from) {
  auto r = graph_->route(from, to_);
  if (r.empty())
    return fail("no translation path from " + from.name() + " to " + to_.name(),
                "translation graph");
  std::vector<std::unique_ptr<TranslatorStep>> steps;
  for (std::size_t i = 1; i < r.size(); ++i) {
    auto s = graph_->make_step(r[i - 1], r[i]);
    if (!s) return Unexpected<Error>{s.error()};
    steps.push_back(std::move(*s));
  }
  steps_ = std::move(steps);
  route_ = std::move(r);
  from_ = from;
  return {};
}

Result<std::span<const std::uint8_t>> TranslatorPath::run_from(std::size_t first,
                                                               std::span<const std::uint8_t> in) {
  std::span<const std::uint8_t> cur = in;
  for (std::size_t i = first; i < steps_.size(); ++i) {
    if (cur.empty()) return cur;  // an encoder is still accumulating its 20 ms
    auto r = steps_[i]->process(cur);
    if (!r) return r;
    cur = *r;
  }
  return cur;
}

Result<std::span<const std::uint8_t>> TranslatorPath::convert(std::span<const std::uint8_t> in) {
  return run_from(0, in);
}

Result<std::span<const std::uint8_t>> TranslatorPath::convert(Format in_format,
                                                              std::span<const std::uint8_t> in) {
  if (!(in_format == from_)) {
    if (auto r = rebuild(in_format); !r) return Unexpected<Error>{r.error()};
  }
  return run_from(0, in);
}

Result<std::span<const std::uint8_t>> TranslatorPath::conceal() {
  if (steps_.empty()) return std::span<const std::uint8_t>{};
  auto r = steps_[0]->conceal();
  if (!r) return r;
  return run_from(1, *r);
}

}  // namespace telephony::media
