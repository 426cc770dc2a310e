# ctest docs.ami_reference_current: renders the AMI reference and compares it with the committed
# page; `make docs` refreshes the page when they differ.
execute_process(COMMAND ${DOCGEN} ami -o ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "telephony-docgen failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${COMMITTED} RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "docs/ami-reference.md is out of date: run `make docs` (or telephony-docgen ami -o docs/ami-reference.md)")
endif()
