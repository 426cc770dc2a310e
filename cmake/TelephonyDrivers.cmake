# Optional channel drivers and their system libraries. A driver is built whole or not at all;
# when a library is missing the configure step says so once, naming the Debian package.
#
#   TELEPHONY_WITH_TDM      DAHDI-style TDM driver (src/drivers/tdm, tools/tdmphone): libspandsp
#                           for caller ID modems.
#   TELEPHONY_WITH_CONSOLE  ALSA console driver (src/drivers/console): libasound.
#   TELEPHONY_WITH_DAHDI    the TDM driver's /dev/dahdi kernel backend: dahdi/user.h from the
#                           dahdi-linux source tree (dahdi-dkms); DAHDI_INCLUDE_DIR points at its
#                           include/ folder when it is not in a system include path.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SPANDSP IMPORTED_TARGET spandsp)
pkg_check_modules(ALSA IMPORTED_TARGET alsa)

if(SPANDSP_FOUND)
  set(TELEPHONY_WITH_TDM ON)
  message(STATUS "TDM driver: enabled (spandsp ${SPANDSP_VERSION})")
else()
  set(TELEPHONY_WITH_TDM OFF)
  message(STATUS "TDM driver: DISABLED - libspandsp-dev not found (caller ID needs it); "
                 "scripts/deps.sh installs it")
endif()

if(ALSA_FOUND)
  set(TELEPHONY_WITH_CONSOLE ON)
  message(STATUS "Console (ALSA) driver: enabled (alsa-lib ${ALSA_VERSION})")
else()
  set(TELEPHONY_WITH_CONSOLE OFF)
  message(STATUS "Console (ALSA) driver: DISABLED - libasound2-dev not found; scripts/deps.sh installs it")
endif()

set(TELEPHONY_WITH_DAHDI OFF)
if(TELEPHONY_WITH_TDM)
  set(DAHDI_INCLUDE_DIR "" CACHE PATH "include/ folder of a dahdi-linux source tree (for dahdi/user.h)")
  find_path(DAHDI_USER_H_DIR dahdi/user.h HINTS ${DAHDI_INCLUDE_DIR} /usr/src/dahdi/include)
  if(DAHDI_USER_H_DIR)
    set(TELEPHONY_WITH_DAHDI ON)
    message(STATUS "TDM driver: /dev/dahdi kernel backend enabled (${DAHDI_USER_H_DIR}/dahdi/user.h)")
  else()
    message(STATUS "TDM driver: /dev/dahdi kernel backend not built - dahdi/user.h not found "
                   "(install dahdi-dkms or set DAHDI_INCLUDE_DIR); software and socket spans work without it")
  endif()
endif()
