// Random UUIDs for check-ins, changes and the device. randomUUID is missing on browsers older
// than 2021 and outside secure contexts; getRandomValues is everywhere.

/** A random (version 4) UUID. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Now as ISO 8601 with an explicit offset, the form the protocol keeps. */
export function isoNow(now: Date = new Date()): string {
  return now.toISOString().replace('Z', '+00:00');
}
