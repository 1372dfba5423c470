// Shared helpers of the weekly report renderers and the CSV rendering.
#include <cmath>
#include <cstdio>

#include "domain/weekly_report.hpp"
#include "domain/weekly_report_labels.hpp"

namespace anliegen::domain {
namespace {

// A text cell: quoted when it holds the separator, quotes or line breaks; a leading = + - @ is
// neutralised so that Excel never reads a cell as a formula.
std::string text_cell(std::string_view s) {
  std::string v(s);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v.insert(0, "'");
  if (v.find_first_of(";\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string hours_cell(const std::optional<double>& h) { return h ? german_decimal(*h, 2) : ""; }

struct Row {
  std::string section, key, label;
  const ReportTotals* figures = nullptr;
  const ReportUnit* unit = nullptr;
};

std::string row_line(const std::string& week, const Row& row) {
  const auto& f = *row.figures;
  std::string line = week + ";" + text_cell(row.section) + ";" + text_cell(row.key) + ";" + text_cell(row.label) + ";" +
                     std::to_string(f.received) + ";" + std::to_string(f.answered) + ";" + std::to_string(f.closed) +
                     ";" + std::to_string(f.open_at_end) + ";";
  if (row.unit) {
    const auto& u = *row.unit;
    line += std::to_string(u.over_target) + ";" + std::to_string(u.target_days) + ";" +
            hours_cell(u.first_response_median_hours) + ";" + hours_cell(u.first_response_p90_hours) + ";" +
            hours_cell(u.close_median_hours);
  } else {
    line += ";;;;";
  }
  return line + "\r\n";
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string german_decimal(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string out(buf);
  for (auto& c : out) {
    if (c == '.') c = ',';
  }
  return out;
}

std::string_view channel_label(std::string_view channel) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"whatsapp", "WhatsApp"}, {"facebook", "Facebook"}, {"instagram", "Instagram"}, {"x", "X"},
      {"maengelmelder", "Mängelmelder"}, {"holdieob", "holdieob (Einladungen)"}, {"phone", "Telefon"},
      {"letter", "Brief"}, {"email", "E-Mail"}, {"in_person", "Persönlich"}};
  for (const auto& [k, v] : kLabels) {
    if (k == channel) return v;
  }
  return channel;
}

std::string_view kind_label(std::string_view kind) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"message", "Nachricht"}, {"defect_report", "Mängelmeldung"}, {"invitation", "Einladung"}, {"comment", "Kommentar"}};
  for (const auto& [k, v] : kLabels) {
    if (k == kind) return v;
  }
  return kind;
}

std::string render_weekly_report_csv(const WeeklyReport& r) {
  const auto week = format_iso_week(r.week);
  std::string out = "\xEF\xBB\xBF";
  out += "Woche;Abschnitt;Schlüssel;Bezeichnung;Eingegangen;Erstmals beantwortet;Erledigt;Offen am Wochenende;"
         "Über Zielzeit;Zielzeit (Arbeitstage);Erstantwort Median (h);Erstantwort 90. Perzentil (h);"
         "Erledigung Median (h)\r\n";
  out += row_line(week, {"Gesamt", "woche", "Berichtswoche", &r.totals});
  out += row_line(week, {"Gesamt", "vorwoche", "Vorwoche " + format_iso_week(previous_week(r.week)), &r.previous});
  for (const auto& c : r.by_channel) {
    out += row_line(week, {"Kanal", c.channel, std::string(channel_label(c.channel)), &c.figures});
  }
  for (const auto& u : r.by_unit) out += row_line(week, {"Bereich", u.code, u.name, &u.figures, &u});
  return out;
}

}  // namespace anliegen::domain
