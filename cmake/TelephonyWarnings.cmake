# One place for warning flags. -Werror is on by default (CI); pass -DTELEPHONY_WERROR=OFF locally
# when trying a newer compiler.
function(telephony_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-missing-field-initializers)
  if(TELEPHONY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
