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
#include <utility>
#include <vector>

namespace anliegen::storage {

class Tx;

// Work that the callers of one transaction hand in and that runs once, just before the commit: the
// webhook deliveries of a group commit, for example, are stored with one statement per table
// instead of one per row. A flush that throws rolls the whole transaction back.
class Deferred {
 public:
  virtual ~Deferred() = default;
  virtual void flush(Tx& tx) = 0;
};

class Tx {
 public:
  struct Impl;
  explicit Tx(Impl& impl) : impl_(impl) {}
  Impl& impl() { return impl_; }

  // This transaction's deferred work of type T (created on first use, flushed before the commit).
  template <class T>
  T& deferred() {
    for (auto& [tag, work] : deferred_) {
      if (tag == &kTag<T>) return static_cast<T&>(*work);
    }
    deferred_.emplace_back(&kTag<T>, std::make_unique<T>());
    return static_cast<T&>(*deferred_.back().second);
  }
  // Runs the deferred work, in the order it was first asked for (Connection does it before commit).
  void flush_deferred();

 private:
  template <class T>
  static constexpr char kTag = 0;
  Impl& impl_;
  std::vector<std::pair<const void*, std::unique_ptr<Deferred>>> deferred_;
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
  // Runs `fn` outside a transaction block (autocommit), for a read that is a single statement: one
  // statement sees one snapshot anyway, and the BEGIN, SET TRANSACTION and COMMIT round trips of
  // `read` are saved. Not for work with several statements that must agree with each other.
  void read_single(const std::function<void(Tx&)>& fn);
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
