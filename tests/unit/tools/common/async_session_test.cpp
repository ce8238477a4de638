// The shell's session against a scripted server on a loopback socket: replies reach their
// callers by xid whatever their order, events reach the handler between them, and a closed
// connection fails the waiting call and is reported once.
#include "protocol/jute/codec.hpp"
#include "protocol/jute/frame_decoder.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "tools/common/async_session.hpp"
#include "tools/common/reply_bodies.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace paddock;

namespace {

// A listening socket on 127.0.0.1 and a port the kernel picked.
struct listener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  uint16_t port = 0;
  listener() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~listener() { ::close(fd); }
};

// The server's side of one connection: whole frames in, bytes out.
struct peer {
  int fd;
  jute::frame_decoder decoder;
  std::string next_frame() {
    std::span<const char> frame;
    char buf[4096];
    while (!decoder.next(frame)) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return {};
      decoder.feed(std::span<const char>(buf, static_cast<size_t>(n)));
    }
    return std::string(frame.data(), frame.size());
  }
  jute::request next_request() {
    for (;;) {
      auto frame = next_frame();
      jute::request r;
      jute::decode_request(std::span<const char>(frame), r);
      if (r.header.xid != jute::xid::ping) return r;
    }
  }
  void send(const std::string& bytes) { ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
};

std::string data_reply(int32_t xid, const std::string& data) {
  std::string out;
  jute::writer w(out);
  auto start = w.begin_frame();
  jute::encode(out, jute::reply_header{xid, 1, 0});
  w.write_buffer(data);
  jute::encode(out, jute::stat{});
  w.end_frame(start);
  return out;
}

} // namespace

TEST_CASE("replies by xid, events as they come, a lost connection once", "[tools]") {
  listener server;
  std::mutex seen_mutex;
  std::vector<jute::watcher_event> seen;
  tools::async_session session([&](const jute::watcher_event& e) {
    std::lock_guard lock(seen_mutex);
    seen.push_back(e);
  });

  auto script = std::async(std::launch::async, [&] {
    peer p{::accept(server.fd, nullptr, nullptr), jute::frame_decoder()};
    p.next_frame(); // ConnectRequest
    std::string hello;
    jute::connect_response answer;
    answer.timeout_ms = 3000;
    answer.session_id = 0x42;
    answer.passwd.assign(16, 'p');
    jute::encode_connect_response(hello, answer);
    p.send(hello);
    auto first = p.next_request();
    auto second = p.next_request();
    // The second is answered first, with an event in between.
    std::string event;
    jute::encode_event(
        event, 1, {jute::event_type::node_data_changed, jute::keeper_state::sync_connected, "/a"});
    // Each answer's data is the path its request asked for.
    auto path = [](const jute::request& r) {
      return std::get<jute::path_watch_request>(r.body).path;
    };
    p.send(data_reply(second.header.xid, path(second)) + event +
           data_reply(first.header.xid, path(first)));
    p.next_request(); // a third request, never answered: the connection goes instead
    ::close(p.fd);
  });

  REQUIRE(session.connect({{"127.0.0.1", server.port}}, 3000, std::chrono::seconds(5)));
  CHECK(session.session_id() == 0x42);
  auto first = std::async(std::launch::async, [&] {
    return session.call(jute::opcode::get_data, jute::path_watch_request{"/first", false});
  });
  // Both calls wait at once (the order they reach the server in does not matter).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto second = session.call(jute::opcode::get_data, jute::path_watch_request{"/second", false});
  REQUIRE(second);
  CHECK(tools::decode_get_data(second->body)->data == "/second");
  auto first_reply = first.get();
  REQUIRE(first_reply);
  CHECK(tools::decode_get_data(first_reply->body)->data == "/first");

  auto third = session.call(jute::opcode::get_data, jute::path_watch_request{"/third", false});
  CHECK(!third);
  CHECK(!session.connected());
  CHECK(session.error() == "connection closed by the server");
  script.get();
  session.close();

  std::lock_guard lock(seen_mutex);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].state == jute::keeper_state::sync_connected); // the connection itself
  CHECK(seen[0].type == jute::event_type::none);
  CHECK(seen[1].path == "/a");
  CHECK(seen[1].type == jute::event_type::node_data_changed);
  CHECK(seen[2].state == jute::keeper_state::disconnected);
}
