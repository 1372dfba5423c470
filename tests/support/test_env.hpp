#pragma once
// Test support: a private database per test binary, the anliegen binary as a child process, a
// minimal HTTP/1.1 client, and a TCP proxy that can "take the database away".
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace anliegen::testing {

// The cluster DSN that deploy/dev test exports (ANLIEGEN_TEST_DATABASE_URL). Aborts the test run with a
// clear message when it is missing.
std::string cluster_dsn();

// A fresh database created for this object and dropped when it goes away.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }
  // Runs SQL on the database and returns the first column of the first row ("" if none).
  std::string scalar(const std::string& sql) const;

 private:
  std::string name_;
  std::string dsn_;
};

// Runs SQL on any database and returns the first column of the first row ("" if none).
std::string query_scalar(const std::string& dsn, const std::string& sql);
// The whole file (empty when it cannot be read).
std::string read_file(const std::string& path);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const;
};

// One request on a new connection.
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = "", const std::map<std::string, std::string>& headers = {});
// Sends raw bytes and returns whatever the server answers before closing (for malformed requests).
std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout);

std::uint16_t free_port();

// The real `anliegen` binary started with the given environment (plus PATH/ASAN variables).
class ServerProcess {
 public:
  ServerProcess(const std::string& database_url, std::map<std::string, std::string> env = {},
                std::vector<std::string> args = {"serve"});
  ~ServerProcess();
  std::uint16_t port() const { return port_; }
  // Waits until /healthz answers (true) or the process exits / time runs out (false).
  bool wait_ready(std::chrono::seconds timeout = std::chrono::seconds(60));
  // SIGTERM, then waits for the exit status (-1 on timeout, after which it is killed).
  int terminate(std::chrono::seconds timeout = std::chrono::seconds(30));
  void kill_hard();
  bool running();
  const std::string& log_path() const { return log_path_; }
  std::string log() const;

 private:
  int pid_ = -1;
  int status_ = -1;
  std::uint16_t port_ = 0;
  std::string log_path_;
};

// Runs the binary to completion; returns exit status with stdout and stderr.
struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};
CommandResult run_anliegen(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

// Creates a token through the CLI and returns it.
std::string create_token(const std::string& database_url, const std::string& role, const std::string& unit = "");

// A TCP proxy from 127.0.0.1:port() to the test cluster's unix socket. `cut()` closes every
// connection and refuses new ones (the database "goes away"); `restore()` accepts again.
class DatabaseProxy {
 public:
  DatabaseProxy();
  ~DatabaseProxy();
  std::uint16_t port() const;
  // A DSN for `database` through the proxy.
  std::string dsn(const std::string& database) const;
  void cut();
  void restore();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace anliegen::testing
