# Sanitizer instrumentation of a subset of the sources (make tsan, scripts/tsan.sh).
# A full ThreadSanitizer build of the library takes hours on 2 shared cores; the sources that run
# channels, bridges and media on several threads are instrumented, and every other object is the
# everyday one (same command line), which the shared ccache already holds. Code left
# uninstrumented is code the TSan tests do not drive (AMI, AGI, SIP, TDM, codecs' pure math).
set(TELEPHONY_INSTRUMENT_MATCH "" CACHE STRING "Regex of source paths compiled with TELEPHONY_INSTRUMENT_FLAGS")
set(TELEPHONY_INSTRUMENT_FLAGS "" CACHE STRING "Compile flags (a ;-list) of the TELEPHONY_INSTRUMENT_MATCH sources")
function(telephony_instrument target)
  if(NOT TELEPHONY_INSTRUMENT_MATCH OR NOT TELEPHONY_INSTRUMENT_FLAGS)
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  list(FILTER sources INCLUDE REGEX "${TELEPHONY_INSTRUMENT_MATCH}")
  if(sources)
    set_source_files_properties(${sources} PROPERTIES COMPILE_OPTIONS "${TELEPHONY_INSTRUMENT_FLAGS}")
  endif()
endfunction()
