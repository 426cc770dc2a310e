// Version of the library and of the protocols it claims to speak.
#pragma once

#include <string_view>

namespace telephony {

std::string_view library_version();

}  // namespace telephony
