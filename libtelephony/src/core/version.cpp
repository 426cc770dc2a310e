#include "telephony/version.hpp"

namespace telephony {

std::string_view library_version() { return TELEPHONY_VERSION; }

}  // namespace telephony
