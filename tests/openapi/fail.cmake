# cmake -DMESSAGE=<text> -P fail.cmake: a test that fails with a message (instead of being skipped).
message(FATAL_ERROR "${MESSAGE}")
