// Help contacts and the very-low-answer thresholds (DESIGN.md §11): the service's, from
// GET /api/v1/support, cached on the phone; the national defaults are built in, so a first open
// with no network still shows where to get help. Notes are never read here: only scores.
import { request, type FetchLike } from './api';
import type { AlongsideDB } from './db';
import type { Instrument } from './instruments';
import { getMeta, setMeta } from './meta';
import type { InstrumentResponse } from './protocol';
import { domainScore } from './scoring';

/** One place to get help. Only the name is always there. */
export interface HelpContact {
  name: string;
  purpose: string | null;
  phone: string | null;
  text: string | null;
  web: string | null;
  hours: string | null;
}

/** A score at or below `at_most` (or at or above `at_least`) is very low. */
export interface UrgentThreshold {
  at_most?: number | null;
  at_least?: number | null;
}

/** Keyed by measure, "instrument/domain" (an "@version" after the instrument is ignored). */
export type UrgentThresholds = Record<string, UrgentThreshold>;

/** GET /api/v1/support as stored on the phone. */
export interface SupportInfo {
  service: string | null;
  contacts: HelpContact[];
  urgent: UrgentThresholds;
}

/** The same defaults as the server's (server/concerns/thresholds.py DEFAULT_URGENT). */
export const DEFAULT_URGENT: UrgentThresholds = {
  'who5/wellbeing': { at_most: 28 },
  'alongside-checkin/hope': { at_most: 1 },
  'alongside-checkin/trust': { at_most: 1 },
  'ons-loneliness/loneliness': { at_least: 4 },
};

/** National help in the UK, carried in the build for when nothing has been fetched yet; the
 * same words as the server's defaults (server/support/contacts.py DEFAULT_CONTACTS). */
export const NATIONAL_CONTACTS: HelpContact[] = [
  {
    name: 'Samaritans',
    purpose: 'Talk to someone about anything that is upsetting you',
    phone: '116 123',
    text: null,
    web: 'https://www.samaritans.org',
    hours: '24 hours, every day',
  },
  {
    name: 'NHS 111',
    purpose: 'Urgent help for your mental health (England)',
    phone: '111, then choose option 2',
    text: null,
    web: 'https://111.nhs.uk',
    hours: '24 hours',
  },
  {
    name: 'Shout',
    purpose: 'Text someone if you would rather not talk',
    phone: null,
    text: 'Text SHOUT to 85258',
    web: 'https://giveusashout.org',
    hours: '24 hours',
  },
  {
    name: 'Emergency',
    purpose: "If your life or someone else's is at risk now, call 999 or go to A&E",
    phone: '999',
    text: null,
    web: null,
    hours: null,
  },
];

export const NATIONAL_SUPPORT: SupportInfo = {
  service: null,
  contacts: NATIONAL_CONTACTS,
  urgent: DEFAULT_URGENT,
};

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The server's answer checked field by field; null when it is not a support answer at all. */
export function parseSupport(body: unknown): SupportInfo | null {
  if (!body || typeof body !== 'object') return null;
  const raw = body as Record<string, unknown>;
  if (!Array.isArray(raw.contacts)) return null;
  const contacts: HelpContact[] = [];
  for (const entry of raw.contacts as unknown[]) {
    if (!entry || typeof entry !== 'object') continue;
    const c = entry as Record<string, unknown>;
    const name = stringOrNull(c.name);
    if (!name) continue;
    contacts.push({
      name,
      purpose: stringOrNull(c.purpose),
      phone: stringOrNull(c.phone),
      text: stringOrNull(c.text),
      web: stringOrNull(c.web),
      hours: stringOrNull(c.hours),
    });
  }
  const urgent: UrgentThresholds = {};
  if (raw.urgent && typeof raw.urgent === 'object') {
    for (const [measure, bounds] of Object.entries(raw.urgent as Record<string, unknown>)) {
      if (!bounds || typeof bounds !== 'object') continue;
      const b = bounds as Record<string, unknown>;
      const atMost = numberOrNull(b.at_most);
      const atLeast = numberOrNull(b.at_least);
      if (atMost === null && atLeast === null) continue;
      urgent[measure] = { at_most: atMost, at_least: atLeast };
    }
  }
  return { service: stringOrNull(raw.service), contacts, urgent };
}

/**
 * What the screens use: the stored answer where it has something, the built-in defaults for
 * whatever it lacks (no contacts, no thresholds), so help never disappears.
 */
export function supportOrDefaults(stored: SupportInfo | null | undefined): SupportInfo {
  if (!stored) return NATIONAL_SUPPORT;
  return {
    service: stored.service ?? null,
    contacts: stored.contacts?.length ? stored.contacts : NATIONAL_CONTACTS,
    urgent: stored.urgent && Object.keys(stored.urgent).length ? stored.urgent : DEFAULT_URGENT,
  };
}

/**
 * Fetch the help contacts and thresholds and keep them; returns what is stored. A failure
 * (offline, server down) throws and leaves the stored copy as it was.
 */
export async function refreshSupport(db: AlongsideDB, fetchLike: FetchLike): Promise<SupportInfo | undefined> {
  const response = await request({ fetch: fetchLike, csrfToken: () => null }, 'GET', '/api/v1/support');
  const parsed = parseSupport(await response.json());
  if (!parsed) return getMeta(db, 'support');
  await setMeta(db, 'support', parsed);
  return parsed;
}

/** "who5/wellbeing" from "who5@1/wellbeing" or "who5/wellbeing". */
function splitMeasure(key: string): [string, string] {
  const slash = key.indexOf('/');
  if (slash < 0) return [key, ''];
  return [key.slice(0, slash).split('@')[0]!, key.slice(slash + 1)];
}

function crossed(threshold: UrgentThreshold, score: number): boolean {
  if (typeof threshold.at_most === 'number' && score <= threshold.at_most) return true;
  return typeof threshold.at_least === 'number' && score >= threshold.at_least;
}

/**
 * The measures ("instrument/domain") of this check-in past their threshold, scored on the
 * phone by the definitions' own rules, in the order the thresholds list them. Only answers
 * are looked at: the note is never read (DESIGN.md §11).
 */
export function veryLowAnswers(
  responses: InstrumentResponse[],
  instruments: Instrument[],
  thresholds: UrgentThresholds,
): string[] {
  const found: string[] = [];
  for (const [key, threshold] of Object.entries(thresholds)) {
    const [instrumentId, domainId] = splitMeasure(key);
    const measure = `${instrumentId}/${domainId}`;
    if (found.includes(measure)) continue;
    const response = responses.find((r) => r.instrument === instrumentId);
    const instrument = instruments.find((i) => i.id === instrumentId);
    // A response to another version of the questions is not scored by these definitions.
    if (!response || !instrument || instrument.version !== response.version) continue;
    const domain = instrument.scoring.domains.find((d) => d.id === domainId);
    if (!domain) continue;
    const score = domainScore(instrument, domain, response.answers);
    if (score !== null && crossed(threshold, score)) found.push(measure);
  }
  return found;
}

/** Whether a contact is the emergency number, which the screens show apart, first. */
export function isEmergency(contact: HelpContact): boolean {
  return /^\s*999(?!\d)/.test(contact.phone ?? '');
}

/** A tel: link from a phone line such as "111, then choose option 2"; null if no number. */
export function telHref(phone: string | null): string | null {
  const number = /^\s*(\+?[\d ]{3,})/.exec(phone ?? '')?.[1]?.replace(/\s/g, '');
  return number ? `tel:${number}` : null;
}

/** An sms: link from "Text SHOUT to 85258" (with the word as the message) or a bare number. */
export function smsHref(text: string | null): string | null {
  if (!text) return null;
  const keyword = /^\s*text\s+(\S+)\s+to\s+(\+?[\d ]{3,}\d)\s*\.?\s*$/i.exec(text);
  if (keyword) return `sms:${keyword[2]!.replace(/\s/g, '')}?body=${encodeURIComponent(keyword[1]!)}`;
  const bare = /^\s*(\+?[\d ]{3,}\d)\s*$/.exec(text);
  return bare ? `sms:${bare[1]!.replace(/\s/g, '')}` : null;
}

/** A web link only for http(s) addresses, and the address as people read it. */
export function webLink(web: string | null): { href: string; label: string } | null {
  if (!web || !/^https?:\/\//i.test(web)) return null;
  return { href: web, label: web.replace(/^https?:\/\//i, '').replace(/\/$/, '') };
}

/** Whether the "hard time" panel was already shown for this check-in. */
export async function helpOffered(db: AlongsideDB, checkinId: string): Promise<boolean> {
  return ((await getMeta(db, 'help_offered')) ?? []).includes(checkinId);
}

/** Remember the panel was shown for this check-in, so it never comes again for it. */
export async function rememberHelpOffered(db: AlongsideDB, checkinId: string): Promise<void> {
  const offered = (await getMeta(db, 'help_offered')) ?? [];
  if (offered.includes(checkinId)) return;
  // Only recent check-ins can be saved again from the screen; a few hundred ids is plenty.
  await setMeta(db, 'help_offered', [...offered, checkinId].slice(-500));
}
