// Internal: the concrete codec steps the translation graph is made of.
#pragma once

#include <memory>
#include <vector>

#include "telephony/media/translator.hpp"

namespace telephony::media::detail {

// Every direct step the graph knows, as (from, to) pairs.
struct StepEdge {
  Format from, to;
};
const std::vector<StepEdge>& known_steps();

// nullptr-free: fails with a message for an unknown pair.
Result<std::unique_ptr<TranslatorStep>> create_step(Format from, Format to);

}  // namespace telephony::media::detail
