#include "storage/database.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <set>
#include <stdexcept>
#include <functional>
#include <string_view>

#include "storage/detail/pq.hpp"
#include "storage/errors.hpp"

namespace anliegen::storage {

struct Connection::Impl {
  pqxx::connection conn;
  bool broken = false;
  explicit Impl(const std::string& dsn) : conn(dsn) {}
};

namespace {

// SQLSTATE classes worth retrying: serialization failure, deadlock.
bool is_transient(const pqxx::sql_error& e) {
  const std::string state = e.sqlstate();
  return state == "40001" || state == "40P01";
}

// Connection-level SQLSTATE class 08, admin shutdown (57P01..57P03), cannot connect now.
bool is_unavailable(const pqxx::sql_error& e) {
  const std::string state = e.sqlstate();
  return state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0;
}

template <class Txn>
void run(Connection::Impl& impl, const std::function<void(Tx&)>& fn) {
  try {
    Txn txn(impl.conn);
    Tx::Impl ti{txn};
    Tx tx(ti);
    fn(tx);
    tx.flush_deferred();
    txn.commit();
  } catch (const pqxx::broken_connection& e) {
    impl.broken = true;
    throw Unavailable(std::string("database connection lost: ") + e.what());
  } catch (const pqxx::in_doubt_error& e) {
    impl.broken = true;
    throw Unavailable(std::string("commit outcome unknown: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    if (is_unavailable(e)) {
      impl.broken = true;
      throw Unavailable("database unavailable (SQLSTATE " + e.sqlstate() + ")");
    }
    if (is_transient(e)) throw Transient("transaction conflict (SQLSTATE " + e.sqlstate() + ")");
    // The message may quote values (citizen data); keep only the state and the statement name.
    throw StorageError("database error SQLSTATE " + e.sqlstate());
  }
}

}  // namespace

void Tx::flush_deferred() {
  for (auto& entry : deferred_) entry.second->flush(*this);
  deferred_.clear();
}

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

std::unique_ptr<Connection> Connection::open(const std::string& dsn) {
  try {
    auto impl = std::make_unique<Impl>(dsn);
    return std::unique_ptr<Connection>(new Connection(std::move(impl)));
  } catch (const pqxx::broken_connection& e) {
    throw Unavailable(std::string("cannot connect to the database: ") + e.what());
  }
}

void Connection::transact(const std::function<void(Tx&)>& fn) { run<pqxx::work>(*impl_, fn); }

void Connection::read(const std::function<void(Tx&)>& fn) { run<pqxx::read_transaction>(*impl_, fn); }

void Connection::read_single(const std::function<void(Tx&)>& fn) { run<pqxx::nontransaction>(*impl_, fn); }

bool Connection::usable() const { return !impl_->broken && impl_->conn.is_open(); }

std::string with_connection_defaults(const std::string& dsn, int connect_timeout_seconds) {
  const bool is_uri = dsn.rfind("postgres://", 0) == 0 || dsn.rfind("postgresql://", 0) == 0;
  std::string out = dsn;
  auto add = [&](const std::string& key, const std::string& value) {
    if (out.find(key + "=") != std::string::npos) return;
    if (is_uri) {
      out += (out.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
    } else {
      out += (out.empty() ? "" : " ") + key + "=" + value;
    }
  };
  add("connect_timeout", std::to_string(connect_timeout_seconds));
  add("application_name", "anliegen");
  // A pool connection idle behind a firewall or NAT that dropped it would otherwise hang its next
  // statement for the kernel's default of two hours: probe after a minute, give up after two.
  add("keepalives_idle", "60");
  add("keepalives_interval", "10");
  add("keepalives_count", "6");
  return out;
}

namespace detail {

std::string statement_name(std::string_view sql) {
  char name[24];
  std::snprintf(name, sizeof name, "s%016zx", std::hash<std::string_view>{}(sql));
  return name;
}

std::string timestamp_param(domain::Timestamp t) { return domain::format_utc(t); }

std::string optional_timestamp_param(const std::optional<domain::Timestamp>& t) {
  return t ? domain::format_utc(*t) : std::string();
}

std::string optional_double_param(const std::optional<double>& v) {
  if (!v) return {};
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.9g", *v);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string text_array_param(const std::vector<std::string>& values) {
  // Runs of plain characters are copied at once: the raw deliveries (as hex) make this the gateway's
  // largest copy per delivery.
  std::size_t size = 2;
  for (const auto& v : values) size += v.size() + 3;
  std::string out;
  out.reserve(size);
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    const std::string_view v = values[i];
    for (std::size_t at = 0; at < v.size();) {
      auto special = at;
      while (special < v.size() && v[special] != '"' && v[special] != '\\' && v[special] != '\0') ++special;
      out.append(v, at, special - at);
      if (special == v.size()) break;
      // PostgreSQL text cannot hold NUL (JSON's \u0000 can): dropped; quotes and backslashes escaped.
      if (v[special] != '\0') {
        out += '\\';
        out += v[special];
      }
      at = special + 1;
    }
    out += '"';
  }
  out += '}';
  return out;
}

void Columns::add_row(std::initializer_list<std::string> row) {
  if (row.size() != values_.size()) throw std::logic_error("Columns::add_row: wrong number of values");
  auto column = values_.begin();
  for (const auto& value : row) (column++)->push_back(value);
}

std::vector<std::string> Columns::params() const {
  std::vector<std::string> out;
  out.reserve(values_.size());
  for (const auto& column : values_) out.push_back(text_array_param(column));
  return out;
}

pqxx::result exec_columns(Tx& tx, const std::string& sql, const Columns& columns) {
  auto& t = txn(tx);
  const auto name = statement_name(sql);
  t.conn().prepare(name, sql);
  const auto params = columns.params();
  return t.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
}

std::vector<bool> first_of_each(const std::vector<std::pair<std::string, std::string>>& keys,
                                const pqxx::result& returned) {
  std::set<std::pair<std::string, std::string>> inserted;
  for (const auto& r : returned) inserted.emplace(r[0].as<std::string>(), r[1].as<std::string>());
  std::vector<bool> out(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) out[i] = inserted.erase(keys[i]) > 0;
  return out;
}

std::string bytea_literal(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 + 2 * bytes.size(), '0');
  out[0] = '\\';
  out[1] = 'x';
  std::size_t i = 2;
  for (unsigned char c : bytes) {
    out[i++] = kHex[c >> 4];
    out[i++] = kHex[c & 0xF];
  }
  return out;
}

domain::Timestamp timestamp_from_ms(const pqxx::field& f) { return domain::from_unix_ms(f.as<long long>()); }

std::optional<domain::Timestamp> optional_timestamp_from_ms(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return domain::from_unix_ms(f.as<long long>());
}

std::vector<std::string> text_array_from_json(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null() || std::string_view(f.c_str(), f.size()) == "[]") return out;  // most rows carry no tags
  const auto v = boost::json::parse(f.c_str());
  for (const auto& e : v.as_array()) {
    const auto& s = e.as_string();
    out.emplace_back(s.data(), s.size());
  }
  return out;
}

}  // namespace detail
}  // namespace anliegen::storage
