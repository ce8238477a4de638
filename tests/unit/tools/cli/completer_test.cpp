// Tab completion: command names first, znode paths after.
#include "tools/cli/completer.hpp"

#include <catch2/catch.hpp>

using namespace paddock::cli;
using words = std::vector<std::string>;

TEST_CASE("the first word completes to command names", "[cli]") {
  words names{"get", "getAcl", "ls", "set"};
  auto none = [](const std::string&) { return words{}; };
  CHECK(completions("ge", true, names, none) == words{"get", "getAcl"});
  CHECK(completions("x", true, names, none).empty());
}

TEST_CASE("a path completes to the children of its parent", "[cli]") {
  std::vector<std::string> asked;
  auto children = [&](const std::string& parent) {
    asked.push_back(parent);
    return parent == "/" ? words{"zookeeper", "app", "apple"} : words{"config", "quota"};
  };
  CHECK(completions("/ap", false, {}, children) == words{"/app", "/apple"});
  CHECK(completions("/zookeeper/q", false, {}, children) == words{"/zookeeper/quota"});
  CHECK(completions("/", false, {}, children) == words{"/app", "/apple", "/zookeeper"});
  CHECK(asked == words{"/", "/zookeeper", "/"});
  CHECK(completions("-s", false, {}, children).empty()); // not a path
}
