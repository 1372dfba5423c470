// Point-in-polygon tests for routing areas (GeoJSON Polygon / MultiPolygon, lon/lat degrees).
//
// Crossing-number test on the plane of lon/lat degrees (fine for city-sized areas). A point within
// kEdgeTolerance degrees (about 0.1 mm) of an edge counts as ON the edge, and on-edge counts as inside,
// for hole edges too: only points strictly inside a hole are outside the polygon.
#include <cmath>

#include "domain/routing.hpp"

namespace anliegen::domain {
namespace {

constexpr double kEdgeTolerance = 1e-9;

enum class Where { outside, edge, inside };

bool on_segment(const Position& a, const Position& b, double x, double y) {
  const double dx = b.lon - a.lon;
  const double dy = b.lat - a.lat;
  const double len2 = dx * dx + dy * dy;
  double t = 0;
  if (len2 > 0) {
    t = ((x - a.lon) * dx + (y - a.lat) * dy) / len2;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
  }
  const double px = a.lon + t * dx - x;
  const double py = a.lat + t * dy - y;
  return std::sqrt(px * px + py * py) <= kEdgeTolerance;
}

Where locate(const Ring& ring, double x, double y) {
  const std::size_t n = ring.size();
  if (n == 0) return Where::outside;
  bool inside = false;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Position& a = ring[i];
    const Position& b = ring[j];
    if (on_segment(a, b, x, y)) return Where::edge;
    if ((a.lat > y) != (b.lat > y)) {
      const double cross_x = a.lon + (y - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
      if (x < cross_x) inside = !inside;
    }
  }
  return inside ? Where::inside : Where::outside;
}

}  // namespace

bool polygon_contains(const Polygon& polygon, double lon, double lat) {
  if (polygon.rings.empty()) return false;
  const Where outer = locate(polygon.rings.front(), lon, lat);
  if (outer == Where::outside) return false;
  if (outer == Where::edge) return true;
  for (std::size_t h = 1; h < polygon.rings.size(); ++h) {
    if (locate(polygon.rings[h], lon, lat) == Where::inside) return false;
  }
  return true;
}

bool area_contains(const Area& area, double lon, double lat) {
  for (const Polygon& p : area.polygons) {
    if (polygon_contains(p, lon, lat)) return true;
  }
  return false;
}

}  // namespace anliegen::domain
