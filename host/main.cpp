// telephonyd: placeholder until the host lands.
#include <cstdio>

#include "telephony/version.hpp"

int main() {
  std::printf("telephonyd %.*s\n", static_cast<int>(telephony::library_version().size()),
              telephony::library_version().data());
  return 0;
}
