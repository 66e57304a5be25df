// Turning API failures into sentences a person can act on.
import { ApiError } from '../shared/api';

/** A message for a failed request, and field errors keyed by field name. */
export function explain(error: unknown): { message: string; fields: Record<string, string> } {
  if (!(error instanceof ApiError)) {
    return { message: 'Something went wrong. Please try again.', fields: {} };
  }
  if (error.failure === 'network') {
    return { message: "You're offline. Connect to the internet and try again.", fields: {} };
  }
  const fields: Record<string, string> = {};
  for (const [path, messages] of Object.entries(error.details ?? {})) {
    const name = path.split('.').pop() ?? path;
    if (messages[0]) fields[name] = messages[0];
  }
  return { message: error.message, fields };
}
