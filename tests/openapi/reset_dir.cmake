# cmake -DDIR=<dir> -P reset_dir.cmake: empties <dir> (the recorded responses of the previous run).
if(NOT DIR)
  message(FATAL_ERROR "reset_dir.cmake: DIR is not set")
endif()
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
