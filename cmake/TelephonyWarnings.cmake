# One place for warning flags. -Werror is on by default (CI); pass -DTELEPHONY_WERROR=OFF locally
# when trying a newer compiler.
function(telephony_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-missing-field-initializers)
  # GCC 12 at -O1 inlines Asio's awaitable frame allocator (thread_info_base's recycling
  # ::operator new with a size) into coroutine ramps and then flags its matching sized
  # operator delete as mismatched: a false positive (GCC PR 109224), not a bug of ours.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(TELEPHONY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
