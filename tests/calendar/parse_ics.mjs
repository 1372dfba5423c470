// Parses an iCalendar file with ical.js (a real RFC 5545 parser, as calendar clients use) and prints
// what a subscriber would see as JSON: the calendar's properties and every event with UTC times.
// Used by the holdieob e2e test: node tests/calendar/parse_ics.mjs <file.ics>
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const text = readFileSync(process.argv[2], 'utf8');
const calendar = new ICAL.Component(ICAL.parse(text));
for (const tz of calendar.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(tz);
}
const events = calendar.getAllSubcomponents('vevent').map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    location: event.location ?? '',
    description: event.description ?? '',
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    tzid: event.startDate.zone?.tzid ?? "",
    dtstamp: component.getFirstPropertyValue('dtstamp').toString(),
  };
});
process.stdout.write(JSON.stringify({
  version: calendar.getFirstPropertyValue('version'),
  prodid: calendar.getFirstPropertyValue('prodid'),
  method: calendar.getFirstPropertyValue('method'),
  calscale: calendar.getFirstPropertyValue('calscale'),
  name: calendar.getFirstPropertyValue('x-wr-calname'),
  timezones: calendar.getAllSubcomponents('vtimezone').map((tz) => tz.getFirstPropertyValue('tzid')),
  events,
}));
