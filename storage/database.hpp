#pragma once
// A PostgreSQL connection and the transactions run on it. This header keeps libpqxx out of every
// other folder: repository functions (cases.hpp, tokens.hpp, ...) take a `Tx&` and are implemented
// in storage/ only.
//
//   auto conn = storage::Connection::open(dsn);
//   conn->transact([&](storage::Tx& tx) { id = storage::create_case(tx, input); });
//
// `transact` commits when the function returns and rolls back when it throws. Database failures are
// translated into the exceptions of storage/errors.hpp.
#include <functional>
#include <memory>
#include <string>

namespace anliegen::storage {

class Tx {
 public:
  struct Impl;
  explicit Tx(Impl& impl) : impl_(impl) {}
  Impl& impl() { return impl_; }

 private:
  Impl& impl_;
};

class Connection {
 public:
  struct Impl;
  // Connects (with a connect timeout) and prepares the statements. Throws Unavailable.
  static std::unique_ptr<Connection> open(const std::string& dsn);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `fn` in a read-write transaction and commits.
  void transact(const std::function<void(Tx&)>& fn);
  // Runs `fn` in a read-only transaction.
  void read(const std::function<void(Tx&)>& fn);
  // False once the connection was lost; the owner should open a new one.
  bool usable() const;

 private:
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Adds `connect_timeout` (seconds) and `application_name` to a libpq URI or key=value string
// unless they are already set.
std::string with_connection_defaults(const std::string& dsn, int connect_timeout_seconds);

}  // namespace anliegen::storage
