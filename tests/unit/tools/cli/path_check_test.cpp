// PathUtils.validatePath's reasons, as zkCli prints them.
#include "tools/cli/path_check.hpp"

#include <catch2/catch.hpp>

using paddock::cli::path_problem;

TEST_CASE("good paths pass", "[cli]") {
  CHECK(path_problem("/").empty());
  CHECK(path_problem("/a/b.c/..d").empty());
  CHECK(path_problem("/a/", true).empty()); // sequential: the server appends a counter
}

TEST_CASE("bad paths say why", "[cli]") {
  CHECK(path_problem("") == "Path length must be > 0");
  CHECK(path_problem("a") == "Path must start with / character");
  CHECK(path_problem("/a/") == "Path must not end with / character");
  CHECK(path_problem("/a//b") == "Invalid path string \"/a//b\" caused by empty node name "
                                 "specified @3");
  CHECK(path_problem("/a/./b") == "Invalid path string \"/a/./b\" caused by relative paths not "
                                  "allowed @3");
  CHECK(path_problem("/a/..") == "Invalid path string \"/a/..\" caused by relative paths not "
                                 "allowed @4");
  CHECK(path_problem("/a\tb") == "Invalid path string \"/a\tb\" caused by invalid character @2");
}
