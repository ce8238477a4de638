/* Drives a server with Apache ZooKeeper's own C client (Debian's libzookeeper_mt) and checks
 * its answers: create modes, get/set with versions and Stat, error codes, an exists watch,
 * get_children2, a failing multi with per-op results, delete. Exit 0 when all hold. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

static int failures = 0;
#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                         \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int connected = 0;
static int created_events = 0;

static void session_watcher(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
  (void)zh, (void)path, (void)ctx;
  if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
    pthread_mutex_lock(&mu);
    connected = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
  }
}

static void exists_watcher(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
  (void)zh, (void)state, (void)ctx;
  if (type == ZOO_CREATED_EVENT && strcmp(path, "/c-watched") == 0) {
    pthread_mutex_lock(&mu);
    ++created_events;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
  }
}

static int wait_flag(int* flag, int seconds) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;
  pthread_mutex_lock(&mu);
  while (!*flag && pthread_cond_timedwait(&cv, &mu, &deadline) == 0) {
  }
  int ok = *flag;
  pthread_mutex_unlock(&mu);
  return ok;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s host:port\n", argv[0]);
    return 2;
  }
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  zhandle_t* zh = zookeeper_init(argv[1], session_watcher, 10000, NULL, NULL, 0);
  if (!zh || !wait_flag(&connected, 15)) {
    fprintf(stderr, "FAIL: could not connect to %s\n", argv[1]);
    return 1;
  }
  printf("connected, session 0x%llx\n", (unsigned long long)zoo_client_id(zh)->client_id);

  char path[256];
  int rc = zoo_create(zh, "/c-node", "hello", 5, &ZOO_OPEN_ACL_UNSAFE, 0, path, sizeof path);
  CHECK(rc == ZOK && strcmp(path, "/c-node") == 0, "create persistent: rc=%d path=%s", rc, path);
  rc = zoo_create(zh, "/c-node", "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, path, sizeof path);
  CHECK(rc == ZNODEEXISTS, "create twice: rc=%d", rc);
  rc = zoo_create(zh, "/c-node/seq-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, path, sizeof path);
  CHECK(rc == ZOK && strcmp(path, "/c-node/seq-0000000000") == 0, "sequential: %d %s", rc, path);
  rc = zoo_create(zh, "/c-eph", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, path, sizeof path);
  CHECK(rc == ZOK, "ephemeral: rc=%d", rc);
  rc = zoo_create(zh, "/c-eph/kid", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, path, sizeof path);
  CHECK(rc == ZNOCHILDRENFOREPHEMERALS, "child of ephemeral: rc=%d", rc);

  struct Stat st;
  char buf[64];
  int len = sizeof buf;
  rc = zoo_get(zh, "/c-node", 0, buf, &len, &st);
  CHECK(rc == ZOK && len == 5 && memcmp(buf, "hello", 5) == 0, "get: rc=%d len=%d", rc, len);
  CHECK(st.version == 0 && st.dataLength == 5 && st.numChildren == 1 && st.cversion == 1,
        "stat: version=%d dataLength=%d numChildren=%d cversion=%d", st.version, st.dataLength,
        st.numChildren, st.cversion);
  rc = zoo_exists(zh, "/c-eph", 0, &st);
  CHECK(rc == ZOK && st.ephemeralOwner == zoo_client_id(zh)->client_id, "ephemeralOwner");
  rc = zoo_set(zh, "/c-node", "world", 5, 0);
  CHECK(rc == ZOK, "set v0: rc=%d", rc);
  rc = zoo_set(zh, "/c-node", "again", 5, 0);
  CHECK(rc == ZBADVERSION, "set stale version: rc=%d", rc);
  rc = zoo_get(zh, "/nope", 0, buf, &len, &st);
  CHECK(rc == ZNONODE, "get missing: rc=%d", rc);
  rc = zoo_delete(zh, "/c-node", -1);
  CHECK(rc == ZNOTEMPTY, "delete non-empty: rc=%d", rc);

  rc = zoo_wexists(zh, "/c-watched", exists_watcher, NULL, &st);
  CHECK(rc == ZNONODE, "wexists missing: rc=%d", rc);
  rc = zoo_create(zh, "/c-watched", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, path, sizeof path);
  CHECK(rc == ZOK, "create watched: rc=%d", rc);
  CHECK(wait_flag(&created_events, 10), "no NodeCreated event for /c-watched");

  struct String_vector children;
  rc = zoo_get_children2(zh, "/c-node", 0, &children, &st);
  CHECK(rc == ZOK && children.count == 1 && strcmp(children.data[0], "seq-0000000000") == 0,
        "get_children2: rc=%d count=%d", rc, children.count);
  if (rc == ZOK) deallocate_String_vector(&children);

  zoo_op_t ops[3];
  zoo_op_result_t results[3];
  char p1[64], p3[64];
  zoo_create_op_init(&ops[0], "/c-multi-1", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, p1, sizeof p1);
  zoo_create_op_init(&ops[1], "/c-node", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
  zoo_create_op_init(&ops[2], "/c-multi-3", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, p3, sizeof p3);
  rc = zoo_multi(zh, 3, ops, results);
  CHECK(rc == ZNODEEXISTS, "multi rc=%d", rc);
  CHECK(results[0].err == ZOK && results[1].err == ZNODEEXISTS &&
            results[2].err == ZRUNTIMEINCONSISTENCY,
        "multi results %d %d %d", results[0].err, results[1].err, results[2].err);
  rc = zoo_exists(zh, "/c-multi-1", 0, &st);
  CHECK(rc == ZNONODE, "multi rolled back: rc=%d", rc);

  rc = zoo_delete(zh, "/c-node/seq-0000000000", 0);
  CHECK(rc == ZOK, "delete child: rc=%d", rc);
  rc = zoo_delete(zh, "/c-node", 1);
  CHECK(rc == ZOK, "delete v1: rc=%d", rc);
  zoo_delete(zh, "/c-watched", -1);
  zookeeper_close(zh);

  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all C client checks passed\n");
  return 0;
}
