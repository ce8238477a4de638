# Writes paddock/git_commit.hpp: the commit the build is made from. Run at every build
# (cmake -P, from the paddock_git_commit target), so that a commit or an edit after
# configuring is seen; the header is rewritten only when its text changes, so an unchanged
# checkout rebuilds nothing.
#   cmake -DSOURCE_DIR=<checkout> -DOUT=<file> -P git_commit.cmake
# "unknown" when the source is not a git checkout (a tarball) or git is missing; "-dirty"
# when tracked files differ from the commit.
set(commit "unknown")
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
    OUTPUT_VARIABLE head RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND NOT head STREQUAL "")
    set(commit ${head})
    # --no-optional-locks: no index refresh written, so no index.lock taken behind the back of
    # a git command running in the same checkout.
    execute_process(COMMAND ${GIT_EXECUTABLE} --no-optional-locks -C ${SOURCE_DIR} status --porcelain
      --untracked-files=no OUTPUT_VARIABLE changes RESULT_VARIABLE rc ERROR_QUIET)
    if(rc EQUAL 0 AND NOT changes STREQUAL "")
      string(APPEND commit "-dirty")
    endif()
  endif()
endif()
file(CONFIGURE OUTPUT ${OUT} CONTENT [[
#pragma once
// Generated at build time by tools/cmake/git_commit.cmake.
namespace paddock {
inline constexpr const char* git_commit = "@commit@";
} // namespace paddock
]] @ONLY)
