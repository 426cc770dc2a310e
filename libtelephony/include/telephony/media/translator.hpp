// Translation: turning frames of one Format into another, the way Asterisk's codec translators
// do, as a graph whose nodes are Formats and whose edges are single codec steps.
//
// Each edge's cost is MEASURED when the graph is built (µs of thread CPU time per 20 ms frame, min over
// interleaved rounds, plus a small fixed per-step overhead so near-ties favour fewer steps), so the cheapest route reflects this machine rather than hand-written guesses;
// TranslationGraph::shared() measures once per process and caches the result. Routes never
// lower the audio bandwidth unless the destination requires it: a step to a lower sample rate
// carries a large fixed penalty on top of its measured cost (otherwise "downsample to 8 kHz,
// then encode" would win on CPU alone). build_path() runs Dijkstra and returns a TranslatorPath that owns its own encoder/decoder/resampler state, so one
// path serves one direction of one call. Paths allocate at construction (and when the input
// format changes mid-call, when they rebuild their steps); converting a frame does not allocate.
//
// Byte convention: slin payloads are host-order int16 samples viewed as bytes (slin_bytes /
// slin_samples convert the views).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "telephony/media/format.hpp"
#include "telephony/result.hpp"

namespace telephony::media {

inline std::span<const std::uint8_t> slin_bytes(std::span<const std::int16_t> s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size() * 2};
}
// The view must come from int16 storage (as every slin buffer in the library does).
inline std::span<const std::int16_t> slin_samples(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const std::int16_t*>(b.data()), b.size() / 2};
}

// One codec step (decode, encode, resample, transcode). Internal; exposed for TranslatorPath.
class TranslatorStep {
 public:
  virtual ~TranslatorStep() = default;
  virtual Format from() const = 0;
  virtual Format to() const = 0;
  // Converts one frame. The returned view stays valid until the next call on this step. An
  // encoder that needs a full 20 ms may return an empty view while it accumulates.
  virtual Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) = 0;
  // A frame of input was lost: decoders with PLC synthesise one; other steps emit silence.
  virtual Result<std::span<const std::uint8_t>> conceal() = 0;
};

class TranslationGraph;

class TranslatorPath {
 public:
  TranslatorPath(TranslatorPath&&) noexcept;
  TranslatorPath& operator=(TranslatorPath&&) noexcept;
  ~TranslatorPath();

  Format from() const { return from_; }
  Format to() const { return to_; }
  // The formats visited, source first (a same-format path has one entry and copies nothing).
  const std::vector<Format>& route() const { return route_; }

  // Converts one frame in from(). Output view valid until the next call on this path.
  Result<std::span<const std::uint8_t>> convert(std::span<const std::uint8_t> in);
  // Same, but the frame says its format: when it differs from from() (a re-INVITE, an SSRC
  // change) the path rebuilds its steps from the graph and carries on.
  Result<std::span<const std::uint8_t>> convert(Format in_format, std::span<const std::uint8_t> in);
  // One input frame was lost: PLC at the first decoder, silence otherwise.
  Result<std::span<const std::uint8_t>> conceal();

 private:
  friend class TranslationGraph;
  TranslatorPath(const TranslationGraph* graph, Format from, Format to);
  Result<void> rebuild(Format from);
  Result<std::span<const std::uint8_t>> run_from(std::size_t step, std::span<const std::uint8_t> in);

  const TranslationGraph* graph_ = nullptr;
  Format from_, to_;
  std::vector<Format> route_;
  std::vector<std::unique_ptr<TranslatorStep>> steps_;
};

class TranslationGraph {
 public:
  // Measured once per process, on first use (a few ms). Thread-safe.
  static const TranslationGraph& shared();
  // A freshly measured graph (benchmarks, tests).
  static TranslationGraph measure();

  // Every node, in the order `core show translation` lists them.
  const std::vector<Format>& formats() const { return formats_; }
  // Measured µs per 20 ms frame of the direct step, if one exists.
  std::optional<double> step_cost_us(Format from, Format to) const;
  // Total cost of the cheapest route, if any.
  std::optional<double> path_cost_us(Format from, Format to) const;
  // Cheapest route (Dijkstra), source first; empty when unreachable.
  std::vector<Format> route(Format from, Format to) const;

  Result<TranslatorPath> build_path(Format from, Format to) const;

  // `core show translation`: a matrix of path costs (µs per 20 ms frame), rows are sources.
  std::string show_translation() const;

  // Creates the state for one direct step (used by TranslatorPath).
  Result<std::unique_ptr<TranslatorStep>> make_step(Format from, Format to) const;

 private:
  TranslationGraph() = default;
  std::optional<std::size_t> index_of(Format f) const;

  std::vector<Format> formats_;
  std::vector<double> cost_;  // formats_.size()^2, negative = no edge
};

}  // namespace telephony::media
