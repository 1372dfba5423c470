#include "test_env.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <pqxx/pqxx>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

#ifndef ANLIEGEN_BINARY
#error "ANLIEGEN_BINARY must be defined by the build"
#endif

namespace anliegen::testing {

std::string cluster_dsn() {
  const char* v = std::getenv("ANLIEGEN_TEST_DATABASE_URL");
  if (!v || !*v) {
    FAIL("ANLIEGEN_TEST_DATABASE_URL is not set: run the tests through deploy/dev test");
  }
  return v;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return prefix + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const auto key = kv.substr(0, eq);
    // Do not leak the test harness' own settings into the child.
    if (key.rfind("ANLIEGEN_", 0) == 0 || key.rfind("WHATSAPP_", 0) == 0 || key.rfind("META_", 0) == 0) continue;
    env[key] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : overrides) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// posix_spawn, not fork + exec: the tests run threads (fake platforms, the database proxy) and, built with
// ASan, a child forked while another thread held the allocator's lock hung before exec (seen in CI: the
// server never started, its log stayed empty). Everything is prepared before; the child only execs.
int spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& out_path,
          const std::string& err_path) {
  std::string bin = ANLIEGEN_BINARY;
  std::vector<std::string> args_copy = args;
  std::vector<char*> argv{bin.data()};
  for (auto& a : args_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err_path == out_path) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + bin + ": " + std::strerror(rc));
  return pid;
}

int wait_for(int pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const int r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) return -2;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

TestDatabase::TestDatabase() : name_(unique_name("t_")) {
  const auto cluster = cluster_dsn();
  pqxx::connection c(cluster);
  pqxx::nontransaction nt(c);
  nt.exec("CREATE DATABASE " + name_);
  dsn_ = cluster + " dbname=" + name_;
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection c(cluster_dsn());
    pqxx::nontransaction nt(c);
    nt.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

std::string TestDatabase::scalar(const std::string& sql) const { return query_scalar(dsn_, sql); }

std::string query_scalar(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction nt(c);
  const auto r = nt.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

ServerProcess::ServerProcess(const std::string& database_url, std::map<std::string, std::string> env,
                             std::vector<std::string> args) {
  port_ = free_port();
  log_path_ = "/tmp/" + unique_name("anliegen_server_") + ".log";
  env["ANLIEGEN_DATABASE_URL"] = database_url;
  if (!env.count("ANLIEGEN_LISTEN")) env["ANLIEGEN_LISTEN"] = "127.0.0.1:" + std::to_string(port_);
  pid_ = spawn(args, merged_environment(env), log_path_, log_path_);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && status_ == -1) kill_hard();
  std::remove(log_path_.c_str());
}

bool ServerProcess::running() {
  if (pid_ <= 0 || status_ != -1) return false;
  const int r = wait_for(pid_, std::chrono::milliseconds(0));
  if (r == -2) return true;
  status_ = r;
  return false;
}

bool ServerProcess::wait_ready(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    try {
      if (http_request(port_, "GET", "/healthz").status == 200) return true;
    } catch (...) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServerProcess::terminate(std::chrono::seconds timeout) {
  if (status_ != -1) return status_;
  ::kill(pid_, SIGTERM);
  const int r = wait_for(pid_, timeout);
  if (r == -2) {
    kill_hard();
    return -1;
  }
  status_ = r;
  return r;
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0 || status_ != -1) return;
  ::kill(pid_, SIGKILL);
  status_ = wait_for(pid_, std::chrono::seconds(10));
}

std::string ServerProcess::log() const { return read_file(log_path_); }

CommandResult run_anliegen(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  const std::string base = "/tmp/" + unique_name("anliegen_cmd_");
  const int pid = spawn(args, merged_environment(env), base + ".out", base + ".err");
  CommandResult r;
  r.status = wait_for(pid, std::chrono::seconds(120));
  r.out = read_file(base + ".out");
  r.err = read_file(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

std::string create_token(const std::string& database_url, const std::string& role, const std::string& unit) {
  std::vector<std::string> args = {"token", "create", "--role", role};
  if (!unit.empty()) {
    args.push_back("--unit");
    args.push_back(unit);
  }
  const auto r = run_anliegen(args, {{"ANLIEGEN_DATABASE_URL", database_url}});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  const auto nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

std::string HttpResponse::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace anliegen::testing
