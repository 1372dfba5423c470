// The weekly report as one printable HTML page (German, A4) with inline SVG bar charts.
#include <algorithm>
#include <cstdio>

#include "domain/weekly_report.hpp"
#include "domain/weekly_report_labels.hpp"

namespace anliegen::domain {
namespace {

constexpr const char* kStyle = R"css(
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; color: #1a1a1a; margin: 0; }
@media screen { body { max-width: 186mm; margin: 8mm auto; padding: 0 4mm; } }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 11pt; margin: 10pt 0 3pt; border-bottom: 1px solid #888; break-after: avoid; }
p { margin: 2pt 0; }
.sub, .note { color: #444; }
.note { font-size: 8pt; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0; break-inside: avoid; }
th, td { border-bottom: 1px solid #ddd; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.cols { display: flex; gap: 12pt; }
.cols > section { flex: 1; }
svg text { font-size: 8px; fill: #1a1a1a; }
)css";

std::string num(std::int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ".");
  return v < 0 ? "−" + s : s;
}

std::string delta(std::int64_t now, std::int64_t before) {
  const auto d = now - before;
  if (d == 0) return "±0";
  return (d > 0 ? "+" : "") + num(d);
}

std::string hours(const std::optional<double>& h) { return h ? german_decimal(*h, 1) + " h" : "–"; }

std::string td(const std::string& s, bool number = false) {
  return std::string(number ? "<td class=\"n\">" : "<td>") + s + "</td>";
}

struct Bar {
  std::string label;
  std::int64_t value = 0;
};

// A horizontal bar chart; every label is escaped.
std::string bar_chart(const std::string& title, const std::vector<Bar>& bars) {
  if (bars.empty()) return "";
  std::int64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.value);
  const int row = 14, label_width = 130, bar_width = 200;
  const int height = row * static_cast<int>(bars.size()) + 4;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(label_width + bar_width + 50) +
                    "\" height=\"" + std::to_string(height) + "\" role=\"img\" aria-label=\"" + html_escape(title) +
                    "\">";
  int y = 2;
  for (const auto& b : bars) {
    const int w = static_cast<int>(static_cast<double>(b.value) * bar_width / static_cast<double>(max));
    out += "<text x=\"0\" y=\"" + std::to_string(y + 10) + "\">" + html_escape(b.label) + "</text>";
    out += "<rect x=\"" + std::to_string(label_width) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
           std::to_string(std::max(w, 1)) + "\" height=\"10\" fill=\"#2f6f9f\"/>";
    out += "<text x=\"" + std::to_string(label_width + std::max(w, 1) + 4) + "\" y=\"" + std::to_string(y + 10) + "\">" +
           num(b.value) + "</text>";
    y += row;
  }
  return out + "</svg>";
}

std::string totals_section(const WeeklyReport& r) {
  struct Line {
    const char* name;
    const char* explain;
    std::int64_t now, before;
  };
  const Line lines[] = {
      {"Eingegangen", "neue Anliegen, die in dieser Woche eingingen", r.totals.received, r.previous.received},
      {"Erstmals beantwortet", "Anliegen, die in dieser Woche ihre erste Antwort einer Mitarbeiterin oder eines Mitarbeiters bekamen",
       r.totals.answered, r.previous.answered},
      {"Erledigt", "Anliegen, die in dieser Woche abgeschlossen oder abgelehnt wurden", r.totals.closed, r.previous.closed},
      {"Offen am Wochenende", "Anliegen, die am Sonntag um 24 Uhr noch nicht erledigt waren", r.totals.open_at_end,
       r.previous.open_at_end}};
  std::string out = "<h2>Auf einen Blick</h2><table><thead><tr><th scope=\"col\">Kennzahl</th><th scope=\"col\" class=\"n\">Diese Woche</th>"
                    "<th scope=\"col\" class=\"n\">Vorwoche</th><th scope=\"col\" class=\"n\">Veränderung</th><th scope=\"col\">Bedeutung</th></tr></thead><tbody>";
  for (const auto& l : lines) {
    out += "<tr>" + td(l.name) + td(num(l.now), true) + td(num(l.before), true) + td(delta(l.now, l.before), true) +
           td(l.explain) + "</tr>";
  }
  return out + "</tbody></table>";
}

std::string channel_section(const WeeklyReport& r) {
  std::vector<Bar> bars;
  std::string rows;
  for (const auto& c : r.by_channel) {
    const std::string label(channel_label(c.channel));
    bars.push_back({label, c.figures.received});
    rows += "<tr>" + td(html_escape(label)) + td(num(c.figures.received), true) + td(num(c.figures.answered), true) +
            td(num(c.figures.closed), true) + td(num(c.figures.open_at_end), true) + "</tr>";
  }
  std::string kinds;
  for (const auto& k : r.by_kind) {
    kinds += "<tr>" + td(html_escape(kind_label(k.kind))) + td(num(k.received), true) + "</tr>";
  }
  return "<div class=\"cols\"><section><h2>Über welche Kanäle</h2>"
         "<p class=\"note\">Eingegangene Anliegen je Kanal (Balken) und die vier Kennzahlen je Kanal.</p>" +
         bar_chart("Eingegangene Anliegen je Kanal", bars) +
         "<table><thead><tr><th scope=\"col\">Kanal</th><th scope=\"col\" class=\"n\">Eing.</th><th scope=\"col\" class=\"n\">Beantw.</th><th scope=\"col\" class=\"n\">Erl.</th>"
         "<th scope=\"col\" class=\"n\">Offen</th></tr></thead><tbody>" +
         rows + "</tbody></table></section><section><h2>Welche Art</h2>"
         "<p class=\"note\">Eingegangene Anliegen nach Art.</p><table><thead><tr><th scope=\"col\">Art</th><th scope=\"col\" class=\"n\">Eing.</th>"
         "</tr></thead><tbody>" + kinds + "</tbody></table></section></div>";
}

std::string unit_section(const WeeklyReport& r) {
  std::string rows;
  for (const auto& u : r.by_unit) {
    rows += "<tr>" + td(html_escape(u.name)) + td(num(u.figures.received), true) + td(num(u.figures.answered), true) +
            td(num(u.figures.closed), true) + td(num(u.figures.open_at_end), true) + td(num(u.over_target), true) +
            td(std::to_string(u.target_days), true) + td(hours(u.first_response_median_hours), true) +
            td(hours(u.first_response_p90_hours), true) + td(hours(u.close_median_hours), true) + "</tr>";
  }
  return "<h2>Wohin es ging: Bereiche</h2><table><thead><tr><th scope=\"col\">Bereich</th><th scope=\"col\" class=\"n\">Eing.</th>"
         "<th scope=\"col\" class=\"n\">Beantw.</th><th scope=\"col\" class=\"n\">Erl.</th><th scope=\"col\" class=\"n\">Offen</th><th scope=\"col\" class=\"n\">Über Ziel</th>"
         "<th scope=\"col\" class=\"n\">Ziel (AT)</th><th scope=\"col\" class=\"n\">Erstantwort Median</th><th scope=\"col\" class=\"n\">Erstantwort 90 %</th>"
         "<th scope=\"col\" class=\"n\">Erledigung Median</th></tr></thead><tbody>" +
         rows +
         "</tbody></table><p class=\"note\">Erstantwort: Zeit vom Eingang bis zur ersten Antwort, für die in dieser "
         "Woche erstmals beantworteten Anliegen (Median: die Hälfte war schneller; 90 %: neun von zehn waren schneller). "
         "Erledigung: Zeit vom Eingang bis zum Abschluss, für die in dieser Woche erledigten Anliegen. Über Ziel: am "
         "Wochenende noch offen und länger als die Zielzeit des Bereichs (AT = Arbeitstage, Montag bis Freitag; "
         "Feiertage zählen als Arbeitstage).</p>";
}

std::string topic_section(const WeeklyReport& r) {
  std::string cats;
  for (const auto& c : r.by_category) {
    cats += "<tr>" + td(html_escape(c.category)) + td(num(c.received), true) + td(num(c.previous), true) + "</tr>";
  }
  std::string rising;
  for (const auto& t : r.rising_topics) {
    rising += "<tr>" + td(html_escape(t.name) + (t.type == "tag" ? " (Schlagwort)" : "")) + td(num(t.received), true) +
              td(num(t.previous), true) + td(delta(t.received, t.previous), true) + "</tr>";
  }
  if (cats.empty()) cats = "<tr><td colspan=\"3\">Keine Anliegen mit Kategorie.</td></tr>";
  if (rising.empty()) rising = "<tr><td colspan=\"4\">Kein Thema wurde häufiger genannt als in der Vorwoche.</td></tr>";
  return "<div class=\"cols\"><section><h2>Häufigste Kategorien</h2><table><thead><tr><th scope=\"col\">Kategorie</th>"
         "<th scope=\"col\" class=\"n\">Woche</th><th scope=\"col\" class=\"n\">Vorwoche</th></tr></thead><tbody>" + cats +
         "</tbody></table></section><section><h2>Stärker gefragte Themen</h2><table><thead><tr><th scope=\"col\">Thema</th>"
         "<th scope=\"col\" class=\"n\">Woche</th><th scope=\"col\" class=\"n\">Vorwoche</th><th scope=\"col\" class=\"n\">Zuwachs</th></tr></thead><tbody>" +
         rising + "</tbody></table><p class=\"note\">Kategorien und Schlagwörter mit dem größten Zuwachs gegenüber der "
         "Vorwoche.</p></section></div>";
}

std::string sprechstunden_section(const WeeklyReport& r) {
  std::string rows;
  for (const auto& s : r.sprechstunden) {
    const std::string when = german_date(s.starts_at) + ", " + german_time(s.starts_at) + "–" + german_time(s.ends_at);
    const std::string median = s.answer_median_minutes ? german_decimal(*s.answer_median_minutes, 0) + " min" : "–";
    rows += "<tr>" + td(html_escape(when)) + td(html_escape(s.title) + " (" + html_escape(channel_label(s.channel)) + ")") +
            td(num(s.messages), true) + td(num(s.citizens), true) + td(num(s.answered_during), true) +
            td(num(s.answered_later), true) + td(num(s.unanswered), true) + td(median, true) + "</tr>";
  }
  if (rows.empty()) rows = "<tr><td colspan=\"8\">In dieser Woche fand keine Sprechstunde statt.</td></tr>";
  return "<h2>Sprechstunden</h2><table><thead><tr><th scope=\"col\">Wann</th><th scope=\"col\">Was</th><th scope=\"col\" class=\"n\">Nachr.</th>"
         "<th scope=\"col\" class=\"n\">Personen</th><th scope=\"col\" class=\"n\">In der Stunde beantw.</th><th scope=\"col\" class=\"n\">Später beantw.</th>"
         "<th scope=\"col\" class=\"n\">Unbeantw.</th><th scope=\"col\" class=\"n\">Antwortzeit Median</th></tr></thead><tbody>" + rows +
         "</tbody></table><p class=\"note\">Nachrichten, die Bürgerinnen und Bürger während der Stunde schrieben, und "
         "wie viele verschiedene Personen das waren; ob ihre Anliegen noch in der Stunde, später in der Woche oder bis "
         "Sonntag 24 Uhr nicht beantwortet wurden.</p>";
}

std::string invitations_section(const WeeklyReport& r) {
  const auto& i = r.invitations;
  std::string out = "<h2>Einladungen an die Oberbürgermeisterin</h2><p>" + num(i.created) + " neue Einladungen, " +
                    num(i.supporters_gained) + " neue Unterstützungen, " + num(i.threshold_reached) +
                    " erreichten die Schwelle, " + num(i.decided) + " entschieden (" + num(i.accepted) + " angenommen, " +
                    num(i.declined) + " abgelehnt).</p>";
  if (i.most_supported.empty()) return out;
  out += "<table><thead><tr><th scope=\"col\">Einladung</th><th scope=\"col\">Aktenzeichen</th><th scope=\"col\" class=\"n\">Unterstützer</th>"
         "<th scope=\"col\" class=\"n\">Zuwachs</th></tr></thead><tbody>";
  for (const auto& inv : i.most_supported) {
    out += "<tr>" + td(html_escape(inv.title)) + td(html_escape(inv.reference)) + td(num(inv.supporters), true) +
           td(delta(inv.gained, 0), true) + "</tr>";
  }
  return out + "</tbody></table>";
}

std::string oldest_section(const WeeklyReport& r) {
  std::string rows;
  for (const auto& o : r.oldest_open) {
    rows += "<tr>" + td(html_escape(o.reference)) + td(html_escape(o.unit)) + td(html_escape(german_date(o.received_at))) +
            td(german_decimal(o.age_days, 1) + " Tage", true) + "</tr>";
  }
  if (rows.empty()) rows = "<tr><td colspan=\"4\">Am Wochenende war kein Anliegen offen.</td></tr>";
  return "<h2>Die ältesten offenen Anliegen</h2><table><thead><tr><th scope=\"col\">Aktenzeichen</th><th scope=\"col\">Bereich</th>"
         "<th scope=\"col\">Eingegangen</th><th scope=\"col\" class=\"n\">Alter am Wochenende</th></tr></thead><tbody>" + rows + "</tbody></table>";
}

}  // namespace

std::string render_weekly_report_html(const WeeklyReport& r) {
  const auto week = format_iso_week(r.week);
  const std::string title = "Wochenbericht " + week;
  std::string out = "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
                    "</title><style>" + kStyle + "</style></head><body><header><h1>Wie die Stadt zugehört hat: " +
                    html_escape(week) + "</h1><p class=\"sub\">" + html_escape(german_date(r.from)) + " bis " +
                    html_escape(german_date(r.to - std::chrono::milliseconds(1))) +
                    " (Montag 0 Uhr bis Sonntag 24 Uhr, deutsche Zeit). Erstellt am " +
                    html_escape(german_date(r.generated_at)) + " um " + html_escape(german_time(r.generated_at)) +
                    " Uhr; spätere Korrekturen ändern diesen Bericht nicht.</p></header><main>";
  out += totals_section(r);
  out += channel_section(r);
  out += unit_section(r);
  out += topic_section(r);
  out += sprechstunden_section(r);
  out += invitations_section(r);
  out += oldest_section(r);
  out += "</main></body></html>\n";
  return out;
}

}  // namespace anliegen::domain
