#include "gateway/cli.hpp"

#include <fstream>
#include <iostream>

#include "gateway/api/api_helpers.hpp"
#include "gateway/auth.hpp"
#include "gateway/citizen_cli.hpp"
#include "gateway/outbox_cli.hpp"
#include "gateway/reports/weekly.hpp"
#include "gateway/settings.hpp"
#include "storage/errors.hpp"
#include "storage/migrations.hpp"
#include "storage/reports.hpp"
#include "storage/tokens.hpp"
#include "storage/units.hpp"

#ifndef ANLIEGEN_VERSION
#define ANLIEGEN_VERSION "0.0.0"
#endif

namespace anliegen::gateway {
namespace {

constexpr const char* kUsage = R"(anliegen — one front door for every way citizens reach their city

Usage:
  anliegen serve                      run the gateway (webhooks, Open311, REST API)
  anliegen migrate                    apply pending database migrations and exit
  anliegen token create --role admin|office|clerk [--unit CODE] [--name TEXT]
                                      create an API token; it is printed alone on the last line
  anliegen token list                 list tokens (id, role, unit, name, created, revoked) — never the tokens
  anliegen token revoke --id N        revoke a token (effective within 30 seconds on every instance)
  anliegen report weekly [--week 2026-W48] [--format json|csv|html] [--out FILE]
                                      the weekly report for the OB's office (default: the last complete
                                      week, JSON, standard output); computed from the current data
  anliegen citizen find TEXT          citizens whose phone, e-mail or platform id is TEXT (DSGVO requests)
  anliegen citizen export --id N [--out FILE]
                                      everything stored about citizen N, as JSON (access, Art. 15/20)
  anliegen citizen erase --id N --yes [--by NAME]
                                      erase citizen N's personal data (Art. 17); the Anliegen stay,
                                      without content, for the statistics
  anliegen citizen retention [--apply]
                                      closed Anliegen past the retention period, per channel; --apply
                                      anonymises them now (otherwise the gateway does, hourly)
  anliegen outbox resend --since TIME [--channel CHANNEL] [--yes]
                                      replies that failed since TIME (e.g. while an access token had
                                      expired); --yes queues them again
  anliegen --help | --version

Environment:
  ANLIEGEN_DATABASE_URL   PostgreSQL (libpq URI or key=value string), required
  ANLIEGEN_LISTEN         host:port to listen on (default 127.0.0.1:8080)
  ANLIEGEN_CONFIG         JSON file with units, routing rules and texts (default: built-in Ludwigshafen demo)
  See docs/configuration.md for all settings.
)";

int usage_error(const std::string& message) {
  std::cerr << "anliegen: " << message << "\n\n" << kUsage;
  return 2;
}

int migrate_command() {
  const auto settings = load_settings(process_environment());
  const auto result = storage::migrate(storage::with_connection_defaults(settings.database_url, 5));
  for (const auto& name : result.applied) std::cout << "applied " << name << "\n";
  std::cout << "schema version " << result.version << (result.applied.empty() ? " (up to date)" : "") << "\n";
  return 0;
}

int token_list_command(const std::vector<std::string>& args) {
  if (args.size() > 2) return usage_error("unknown argument '" + args[2] + "' for token list");
  const auto settings = load_settings(process_environment());
  auto conn = storage::Connection::open(storage::with_connection_defaults(settings.database_url, 5));
  std::vector<storage::TokenListing> tokens;
  conn->read([&](storage::Tx& tx) { tokens = storage::list_tokens(tx); });
  std::cout << "id\trole\tunit\tname\tcreated\trevoked\n";
  for (const auto& t : tokens) {
    std::cout << t.token.id << '\t' << domain::to_string(t.token.role) << '\t' << (t.token.unit.empty() ? "-" : t.token.unit)
              << '\t' << t.token.name << '\t' << domain::format_utc(t.created_at) << '\t' << (t.revoked ? "yes" : "no")
              << '\n';
  }
  return 0;
}

int token_revoke_command(const std::vector<std::string>& args) {
  if (args.size() != 4 || args[2] != "--id") return usage_error("expected 'token revoke --id N'");
  const auto parsed = parse_path_id(args[3]);
  if (!parsed) return usage_error("--id needs a token id (see 'anliegen token list')");
  const auto id = *parsed;
  const auto settings = load_settings(process_environment());
  auto conn = storage::Connection::open(storage::with_connection_defaults(settings.database_url, 5));
  bool revoked = false;
  conn->transact([&](storage::Tx& tx) { revoked = storage::revoke_token(tx, id); });
  if (!revoked) {
    std::cerr << "anliegen: no active token with id " << id << "\n";
    return 1;
  }
  std::cout << "revoked token " << id << "\n";
  return 0;
}

int token_command(const std::vector<std::string>& args) {
  if (args.size() >= 2 && args[1] == "list") return token_list_command(args);
  if (args.size() >= 2 && args[1] == "revoke") return token_revoke_command(args);
  if (args.size() < 2 || args[1] != "create") return usage_error("expected 'token create', 'token list' or 'token revoke'");
  std::string role_name, unit, name;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    if (a == "--role") {
      if (!value(role_name)) return usage_error("--role needs a value");
    } else if (a == "--unit") {
      if (!value(unit)) return usage_error("--unit needs a value");
    } else if (a == "--name") {
      if (!value(name)) return usage_error("--name needs a value");
    } else {
      return usage_error("unknown option '" + a + "' for token create");
    }
  }
  const auto role = domain::parse_role(role_name);
  if (!role) return usage_error("--role must be admin, office or clerk");
  if (*role == domain::Role::clerk && unit.empty()) return usage_error("a clerk token needs --unit CODE");
  if (*role != domain::Role::clerk && !unit.empty()) return usage_error("--unit is only for clerk tokens");

  // Neither migrates nor touches the units: the database's units are those of the last `serve` (its
  // configuration), whatever configuration this shell has.
  const auto settings = load_settings(process_environment());
  auto conn = storage::Connection::open(storage::with_connection_defaults(settings.database_url, 5));
  const auto token = generate_token();
  std::string schema_problem;
  bool unknown_unit = false;
  conn->transact([&](storage::Tx& tx) {
    schema_problem = storage::schema_mismatch(storage::current_schema_version(tx));
    if (!schema_problem.empty()) return;
    if (!unit.empty() && !storage::unit_exists(tx, unit)) {
      unknown_unit = true;
      return;
    }
    storage::insert_token(tx, token.hash, *role, unit, name.empty() ? std::string(domain::to_string(*role)) : name);
  });
  if (!schema_problem.empty()) {
    std::cerr << "anliegen: " << schema_problem << "\n";
    return 1;
  }
  if (unknown_unit) {
    std::cerr << "anliegen: unknown or inactive unit '" << unit
              << "': the units are those of the configuration 'anliegen serve' last started with "
                 "(start it once with the city's configuration, then create clerk tokens)\n";
    return 2;
  }
  std::cerr << "created a " << role_name << " token" << (unit.empty() ? "" : " for unit " + unit)
            << "; store it now, it cannot be shown again:\n";
  std::cout << token.token << std::endl;
  return 0;
}

int report_command(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1] != "weekly") return usage_error("expected 'report weekly'");
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
  }
  std::string week_text, format_text = "json", out_path;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const auto& a = args[i];
    std::string* target = a == "--week" ? &week_text : a == "--format" ? &format_text : a == "--out" ? &out_path : nullptr;
    if (!target) return usage_error("unknown option '" + a + "' for report weekly");
    if (i + 1 >= args.size() || args[i + 1].empty()) return usage_error(a + " needs a value");
    *target = args[++i];
  }
  const auto format = parse_report_format(format_text);
  if (!format) return usage_error("--format must be json, csv or html");
  const auto now = domain::SystemClock{}.now();
  auto week = last_complete_week(now);
  if (!week_text.empty()) {
    const auto parsed = domain::parse_iso_week(week_text);
    if (!parsed) return usage_error("--week must be an ISO week like 2026-W48, got '" + week_text + "'");
    if (!week_complete(*parsed, now)) return usage_error("the week " + week_text + " has not ended yet");
    week = *parsed;
  }
  const auto settings = load_settings(process_environment());
  auto conn = storage::Connection::open(storage::with_connection_defaults(settings.database_url, 5));
  std::string body;
  conn->read([&](storage::Tx& tx) { body = render_weekly_report(storage::compute_weekly_report(tx, week, now), *format); });
  if (out_path.empty()) {
    std::cout << body << (*format == ReportFormat::json ? "\n" : "") << std::flush;
    return 0;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out << body;
  out.close();
  if (!out) {
    std::cerr << "anliegen: cannot write " << out_path << "\n";
    return 1;
  }
  std::cerr << "wrote the report of " << domain::format_iso_week(week) << " to " << out_path << "\n";
  return 0;
}

}  // namespace

int run_cli(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("no command given");
  const auto& cmd = args[0];
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (cmd == "--version") {
      std::cout << "anliegen " << ANLIEGEN_VERSION << "\n";
      return 0;
    }
    if (cmd == "serve") {
      if (args.size() > 1) return usage_error("unknown argument '" + args[1] + "' for serve");
      return serve();
    }
    if (cmd == "migrate") {
      if (args.size() > 1) return usage_error("unknown argument '" + args[1] + "' for migrate");
      return migrate_command();
    }
    if (cmd == "token") return token_command(args);
    if (cmd == "report") return report_command(args);
    if (cmd == "citizen") return citizen_command(args);
    if (cmd == "outbox") return outbox_command(args);
    return usage_error("unknown command '" + cmd + "'");
  } catch (const SettingsError& e) {
    std::cerr << "anliegen: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const storage::StorageError& e) {
    std::cerr << "anliegen: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace anliegen::gateway
