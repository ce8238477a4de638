/* Reads, watches and changes an ensemble's configuration with Apache ZooKeeper's own C client
 * (Debian's libzookeeper_mt): zoo_getconfig, zoo_wgetconfig and zoo_reconfig, as an
 * application would call them. It checks nothing itself: it prints what the client got, in a
 * form test_reconfig_clients.py reads, so the test compares it with what kazoo reads from
 * /zookeeper/config, against Paddock and against ZooKeeper alike.
 *
 * Usage: paddock-c-config-client HOST:PORT COMMAND [ARGS]
 *   getconfig                     zoo_getconfig(watch=0)
 *   watch SECONDS                 zoo_wgetconfig with a watcher of its own, then waits for it
 *   watch-default SECONDS         zoo_getconfig(watch=1): the session's watcher gets the event
 *                                 (how Curator's EnsembleTracker and most C applications watch)
 *   reconfig [--auth USER:PASSWORD] [--add SPECS] [--remove IDS] [--members SPECS]
 *            [--from-version HEX]  zoo_reconfig, after zoo_add_auth("digest") when --auth is given
 *
 * Output, one item a line:
 *   auth rc=<code>                 (reconfig with --auth) the completion's result
 *   rc=<code> <zerror text>        the call's result
 *   stat mzxid=0x<hex> version=<n> data_length=<n>     when rc is 0
 *   data:                          then the configuration as the client got it, then a line `end`
 *   watching                       (watch commands) the watch is set: the test may change the
 *                                  configuration now
 *   event type=<n> path=<path>     the watch fired; then the configuration is read again
 *                                  (rc, stat, data as above)
 *   no event                       nothing fired within SECONDS
 * Exit status: 0 when every call returned ZOK (and a watch fired), 1 otherwise, 2 for bad usage.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zookeeper/zookeeper.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int connected = 0;
static int event_seen = 0;
static int event_type = 0;
static char event_path[256];
static int auth_done = 0;
static int auth_rc = 0;

static void signal_flag(int* flag) {
  pthread_mutex_lock(&mu);
  *flag = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
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

static void record_event(int type, const char* path) {
  pthread_mutex_lock(&mu);
  if (!event_seen) {
    event_type = type;
    snprintf(event_path, sizeof event_path, "%s", path ? path : "");
    event_seen = 1;
    pthread_cond_broadcast(&cv);
  }
  pthread_mutex_unlock(&mu);
}

/* The session's watcher: connection state, and the events of watches set with watch=1. */
static void session_watcher(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
  (void)zh, (void)ctx;
  if (type == ZOO_SESSION_EVENT) {
    if (state == ZOO_CONNECTED_STATE) signal_flag(&connected);
    return;
  }
  record_event(type, path);
}

/* The watcher given to zoo_wgetconfig: only the config node's events reach it. */
static void config_watcher(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
  (void)zh, (void)state, (void)ctx;
  record_event(type, path);
}

static void auth_completion(int rc, const void* data) {
  (void)data;
  pthread_mutex_lock(&mu);
  auth_rc = rc;
  auth_done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

/* Prints a call's result and, when it succeeded, the configuration and its Stat. */
static void print_config_result(int rc, const char* data, int length, const struct Stat* stat) {
  printf("rc=%d %s\n", rc, zerror(rc));
  if (rc == ZOK) {
    printf("stat mzxid=0x%" PRIx64 " version=%d data_length=%d\n", (uint64_t)stat->mzxid,
           stat->version, stat->dataLength);
    printf("data:\n%.*s\nend\n", length < 0 ? 0 : length, data);
  }
  fflush(stdout);
}

static int get_config(zhandle_t* zh, int watch, watcher_fn watcher) {
  char buffer[8192];
  int length = sizeof buffer;
  struct Stat stat;
  int rc = watcher ? zoo_wgetconfig(zh, watcher, NULL, buffer, &length, &stat)
                   : zoo_getconfig(zh, watch, buffer, &length, &stat);
  print_config_result(rc, buffer, length, &stat);
  return rc;
}

static int watch_config(zhandle_t* zh, int seconds, watcher_fn watcher) {
  if (get_config(zh, watcher == NULL, watcher) != ZOK) return 1;
  printf("watching\n");
  fflush(stdout);
  if (!wait_flag(&event_seen, seconds)) {
    printf("no event\n");
    return 1;
  }
  pthread_mutex_lock(&mu);
  printf("event type=%d path=%s\n", event_type, event_path);
  pthread_mutex_unlock(&mu);
  return get_config(zh, 0, NULL) == ZOK ? 0 : 1;
}

static const char* option(int argc, char** argv, const char* name) {
  for (int i = 0; i + 1 < argc; ++i)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return NULL;
}

static int reconfig(zhandle_t* zh, int argc, char** argv) {
  const char* known[] = {"--auth", "--add", "--remove", "--members", "--from-version"};
  for (int i = 0; i < argc; i += 2) {
    int ok = 0;
    for (size_t k = 0; k < sizeof known / sizeof *known; ++k)
      ok |= strcmp(argv[i], known[k]) == 0;
    if (!ok || i + 1 >= argc) {
      fprintf(stderr, "reconfig: bad option %s\n", argv[i]);
      return 2;
    }
  }
  const char* auth = option(argc, argv, "--auth");
  if (auth) {
    int rc = zoo_add_auth(zh, "digest", auth, (int)strlen(auth), auth_completion, NULL);
    if (rc != ZOK || !wait_flag(&auth_done, 15)) {
      printf("auth rc=%d (not completed)\n", rc);
      return 1;
    }
    printf("auth rc=%d\n", auth_rc);
  }
  const char* from = option(argc, argv, "--from-version");
  int64_t from_version = from ? (int64_t)strtoll(from, NULL, 16) : -1;
  char buffer[8192];
  int length = sizeof buffer;
  struct Stat stat;
  int rc = zoo_reconfig(zh, option(argc, argv, "--add"), option(argc, argv, "--remove"),
                        option(argc, argv, "--members"), from_version, buffer, &length, &stat);
  print_config_result(rc, buffer, length, &stat);
  return rc == ZOK ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr,
            "usage: %s HOST:PORT getconfig|watch SECONDS|watch-default SECONDS|"
            "reconfig [options]\n",
            argv[0]);
    return 2;
  }
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  zhandle_t* zh = zookeeper_init(argv[1], session_watcher, 10000, NULL, NULL, 0);
  if (!zh || !wait_flag(&connected, 15)) {
    printf("could not connect to %s\n", argv[1]);
    return 1;
  }
  const char* command = argv[2];
  int status = 2;
  if (strcmp(command, "getconfig") == 0 && argc == 3) {
    status = get_config(zh, 0, NULL) == ZOK ? 0 : 1;
  } else if (strcmp(command, "watch") == 0 && argc == 4) {
    status = watch_config(zh, atoi(argv[3]), config_watcher);
  } else if (strcmp(command, "watch-default") == 0 && argc == 4) {
    status = watch_config(zh, atoi(argv[3]), NULL);
  } else if (strcmp(command, "reconfig") == 0) {
    status = reconfig(zh, argc - 3, argv + 3);
  } else {
    fprintf(stderr, "unknown command or wrong arguments: %s\n", command);
  }
  zookeeper_close(zh);
  return status;
}
