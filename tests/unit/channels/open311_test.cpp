// The Open311 adapter without I/O: form parsing, the XML/JSON writer, and the checks of POST requests
// (api_key, jurisdiction, service, location inside the city, description, contact, media, attributes).
#include <doctest/doctest.h>

#include "channels/open311/document.hpp"
#include "channels/open311/form.hpp"
#include "channels/open311/service_request.hpp"
#include "channels/open311/shapes.hpp"
#include "config/city_config.hpp"

using namespace anliegen;
using namespace anliegen::channels::open311;

namespace {

const domain::Open311Config& demo() {
  static const auto config = config::builtin_city_config().open311;
  return config;
}

const std::string kKey = "test-key-0123456789";

std::variant<ServiceRequestInput, Open311Error> post(const std::string& body, std::string jurisdiction = "") {
  const auto form = parse_form(body);
  REQUIRE(form);
  return read_service_request(*form, {.config = demo(), .api_keys = {"other-key-0000000000", kKey},
                                      .jurisdiction = std::move(jurisdiction), .city_name = "Ludwigshafen am Rhein"});
}

// A valid pothole report at the town hall; `extra` is appended.
std::string pothole(const std::string& extra = "") {
  return "api_key=" + kKey + "&service_code=pothole&lat=49.4812&long=8.4460&attribute%5Bsurface%5D=road" + extra;
}

Open311Error error_of(const std::variant<ServiceRequestInput, Open311Error>& r) {
  REQUIRE(std::holds_alternative<Open311Error>(r));
  return std::get<Open311Error>(r);
}

}  // namespace

TEST_CASE("forms: percent escapes, plus as space, repeated keys, empty values count as absent") {
  const auto f = parse_form("a=x+y%26z&m=1&m=&m=2&attribute%5Bk%5D%5B%5D=v&empty=");
  REQUIRE(f);
  CHECK(first(*f, "a") == "x y&z");
  CHECK(all(*f, "m") == std::vector<std::string>{"1", "2"});
  CHECK(first(*f, "attribute[k][]") == "v");
  CHECK_FALSE(first(*f, "empty"));
  CHECK_FALSE(parse_form("a=%zz"));
  CHECK_FALSE(parse_form("a=%4"));
  CHECK_FALSE(parse_form("a=%ff%fe"));  // not UTF-8
  CHECK(split_list(" a, ,b ,") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("documents: JSON and XML with escaping, null elements and locale-free numbers") {
  auto list = Node::array("request");
  list.push(Node::object()
                .set("id", Node::string("A-1"))
                .set("text", Node::string("Tom & \"Jerry\" <'x'>\n"))
                .set("lat", Node::number(49.4812))
                .set("none", Node::null())
                .set("ok", Node::boolean(true))
                .set("n", Node::integer(-3)));
  CHECK(to_json(list) ==
        R"([{"id":"A-1","text":"Tom & \"Jerry\" <'x'>\n","lat":49.4812,"none":null,"ok":true,"n":-3}])");
  CHECK(to_xml("service_requests", list) ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request><id>A-1</id>"
        "<text>Tom &amp; &quot;Jerry&quot; &lt;&apos;x&apos;&gt;\n</text><lat>49.4812</lat><none/><ok>true</ok>"
        "<n>-3</n></request></service_requests>");
  CHECK(to_json(Node::string("Straße \x01")) == "\"Straße \\u0001\"");
  CHECK(xml_escape("a\x01z") == "a z");
}

TEST_CASE("service list and definition use the specification's names") {
  const auto xml = to_xml(kRootServices, services_node(demo()));
  CHECK(xml.find("<services><service><service_code>pothole</service_code><service_name>") != std::string::npos);
  CHECK(xml.find("<metadata>true</metadata><type>realtime</type>") != std::string::npos);
  const auto* s = domain::find_service(demo(), "pothole");
  REQUIRE(s);
  const auto def = to_json(definition_node(*s));
  CHECK(def.rfind(R"({"service_code":"pothole","attributes":[{"variable":true,"code":"surface","datatype":"singlevaluelist","required":true,)", 0) == 0);
  CHECK(def.find(R"("values":[{"key":"road","name":"Fahrbahn"})") != std::string::npos);
  CHECK(to_json(errors_node({403, "no"})) == R"([{"code":403,"description":"no"}])");
}

TEST_CASE("the demo configuration: nine services, the Ludwigshafen boundary, 30 m duplicate radius") {
  const auto& c = demo();
  CHECK(c.services.size() == 9);
  CHECK(c.duplicate_radius_m == 30);
  REQUIRE(c.boundary);
  CHECK(domain::area_contains(*c.boundary, 8.4460, 49.4812));        // Rathaus Ludwigshafen
  CHECK_FALSE(domain::area_contains(*c.boundary, 8.4757, 49.4840));  // Mannheim, Wasserturm
  CHECK(domain::find_service(c, "litter_bin")->auto_publish);
  CHECK(domain::distance_m(49.0, 8.0, 50.0, 8.0) == doctest::Approx(111195.08).epsilon(1e-6));
}

TEST_CASE("open311 configuration errors name the key") {
  const auto err = [](const std::string& open311) {
    auto r = config::parse_city_config(R"({"units":[{"code":"buergerservice","name":"B"}],"open311":)" + open311 + "}");
    REQUIRE(std::holds_alternative<config::ConfigError>(r));
    return std::get<config::ConfigError>(r).key;
  };
  CHECK(err(R"({"services":[{"code":"a","name":"A"},{"code":"a","name":"B"}]})") == "open311.services[1].code");
  CHECK(err(R"({"services":[{"code":"a","name":"A","attributes":[{"code":"x","datatype":"list","description":"d"}]}]})") ==
        "open311.services[0].attributes[0].datatype");
  CHECK(err(R"({"services":[{"code":"a","name":"A","attributes":[{"code":"x","datatype":"singlevaluelist","description":"d"}]}]})") ==
        "open311.services[0].attributes[0].values");
  CHECK(err(R"({"boundary":{"type":"Polygon","coordinates":[[[8,49],[9,49],[8,49]]]}})").rfind("open311.boundary", 0) == 0);
  CHECK(err(R"({"duplicate_radius_m":-1})") == "open311.duplicate_radius_m");
  CHECK(err(R"({"colour":1})") == "open311.colour");
}

TEST_CASE("a valid report is read with contact, media and attributes") {
  const auto r = post(pothole("&description=Tiefes+Loch&first_name=Erika&last_name=M&email=e%40example.org"
                              "&media_url=https%3A%2F%2Fcdn.example%2F1.jpg&media_url=http%3A%2F%2Fcdn.example%2F2.jpg"
                              "&attribute%5Bhazards%5D%5B%5D=deep&attribute%5Bhazards%5D%5B%5D=water"
                              "&attribute%5Bsize_cm%5D=30.5&attribute%5Bfixmystreet_id%5D=77&jurisdiction_id="));
  REQUIRE(std::holds_alternative<ServiceRequestInput>(r));
  const auto& in = std::get<ServiceRequestInput>(r);
  CHECK(in.service_code == "pothole");
  CHECK(*in.lat == 49.4812);
  CHECK(in.description == "Tiefes Loch");
  CHECK(in.email == "e@example.org");
  CHECK(in.media_urls.size() == 2);
  REQUIRE(in.attributes.size() == 4);
  CHECK(in.attributes[0] == std::pair<std::string, std::vector<std::string>>{"surface", {"road"}});
  CHECK(in.attributes[2] == std::pair<std::string, std::vector<std::string>>{"hazards", {"deep", "water"}});
  CHECK(in.attributes[3].first == "fixmystreet_id");
}

TEST_CASE("api_key and jurisdiction: 403 and 404") {
  CHECK(error_of(post("service_code=pothole&lat=49.48&long=8.44")).status == 403);
  CHECK(error_of(post("api_key=wrong-key-0123456789&service_code=pothole")).status == 403);
  CHECK(error_of(post(pothole("&jurisdiction_id=mannheim.de"), "ludwigshafen.de")).status == 404);
  CHECK(std::holds_alternative<ServiceRequestInput>(post(pothole("&jurisdiction_id=ludwigshafen.de"), "ludwigshafen.de")));
}

TEST_CASE("service code and location") {
  CHECK(error_of(post("api_key=" + kKey + "&lat=49.48&long=8.44")).status == 400);
  CHECK(error_of(post("api_key=" + kKey + "&service_code=ufo&lat=49.48&long=8.44")).status == 404);
  const auto base = "api_key=" + kKey + "&service_code=graffiti";
  CHECK(error_of(post(base)).description.find("location is required") != std::string::npos);
  CHECK(error_of(post(base + "&lat=49.48")).description == "lat and long must be given together");
  CHECK(error_of(post(base + "&lat=49%2C48&long=8.44")).status == 400);  // decimal comma
  CHECK(error_of(post(base + "&lat=nan&long=8.44")).description.find("WGS84 latitude") != std::string::npos);
  CHECK(error_of(post(base + "&lat=49.48&long=inf")).description.find("WGS84 longitude") != std::string::npos);
  CHECK(error_of(post(pothole("&attribute%5Bsize_cm%5D=nan"))).description.find("must be a number") != std::string::npos);
  CHECK(error_of(post(base + "&lat=--49.48&long=8.44")).status == 400);
  // A '+' sign, as sent unencoded (a space after form decoding) or encoded.
  const auto plus = post(base + "&lat=+49.4812&long=%2B8.4460");
  REQUIRE(std::holds_alternative<ServiceRequestInput>(plus));
  CHECK(*std::get<ServiceRequestInput>(plus).lat == doctest::Approx(49.4812));
  CHECK(*std::get<ServiceRequestInput>(plus).lon == doctest::Approx(8.4460));
  const auto outside = error_of(post(base + "&lat=49.4840&long=8.4757"));
  CHECK(outside.status == 400);
  CHECK(outside.description.find("outside Ludwigshafen am Rhein") != std::string::npos);
  CHECK(std::holds_alternative<ServiceRequestInput>(post(base + "&address_string=Rathausplatz+20%2C+Ludwigshafen")));
  CHECK(std::holds_alternative<ServiceRequestInput>(post(base + "&address_id=4711")));
}

TEST_CASE("description, contact and media limits") {
  const std::string long_text(4001, 'x');
  CHECK(error_of(post(pothole("&description=" + long_text))).description == "description must be at most 4000 characters");
  CHECK(std::holds_alternative<ServiceRequestInput>(post(pothole("&description=" + std::string(4000, 'x')))));
  CHECK(error_of(post(pothole("&email=nobody"))).description == "email must be an e-mail address");
  CHECK(error_of(post(pothole("&media_url=file%3A%2F%2F%2Fetc%2Fpasswd"))).description ==
        "media_url must be an http or https URL");
  std::string six;
  for (int i = 0; i < 6; ++i) six += "&media_url=https%3A%2F%2Fa.example%2F" + std::to_string(i);
  CHECK(error_of(post(pothole(six))).status == 400);
}

TEST_CASE("attributes are checked against the service definition") {
  const auto base = "api_key=" + kKey + "&service_code=pothole&lat=49.4812&long=8.4460";
  CHECK(error_of(post(base)).description == "attribute[surface] is required for service pothole");
  CHECK(error_of(post(base + "&attribute%5Bsurface%5D=")).description == "attribute[surface] is required for service pothole");
  CHECK(error_of(post(base + "&attribute%5Bsurface%5D=lava")).description ==
        "attribute[surface] must be one of the keys road, sidewalk, bike_lane");
  CHECK(error_of(post(base + "&attribute%5Bsurface%5D=road&attribute%5Bsurface%5D=sidewalk")).description ==
        "attribute[surface] takes one value");
  CHECK(error_of(post(pothole("&attribute%5Bsize_cm%5D=dreissig"))).status == 400);
  CHECK(error_of(post(pothole("&attribute%5Bhazards%5D%5B%5D=deep&attribute%5Bhazards%5D%5B%5D=fire"))).status == 400);
  CHECK(error_of(post(pothole("&attribute%5Bcolour%5D=red"))).description ==
        "attribute[colour] is not an attribute of service pothole");
  CHECK(error_of(post(pothole("&attribute%5Bx"))).status == 400);
}
