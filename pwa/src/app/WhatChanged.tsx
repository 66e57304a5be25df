// The top of a person's page: what is new since the peer worker last looked. The new concerns
// themselves are listed once, under "Open concerns", tagged "New": not twice on one page.
import { when, type SinceLastLook } from './staff';
import { plural } from './words';

/** "2 new concerns and 1 piece of good news, marked “New” below." */
export function newsLine(look: SinceLastLook): string {
  const worries = look.events.filter((event) => event.concern).length;
  const good = look.events.length - worries;
  if (worries + good === 0) return 'Nothing new to follow up.';
  const parts = [
    worries ? plural(worries, 'new concern') : '',
    good ? `${good === 1 ? '1 piece' : `${good} pieces`} of good news` : '',
  ].filter(Boolean);
  return `${parts.join(' and ')}, marked “New” below.`;
}

export function WhatChanged({ look }: { look: SinceLastLook }) {
  const checkins = look.new_checkins === 0 ? 'No new shared check-ins.' : `${plural(look.new_checkins, 'new shared check-in')}.`;
  return (
    <section aria-labelledby="changed-title" class="card">
      <h2 id="changed-title" class="card-title">
        What changed since your last look
      </h2>
      <p>
        {look.last_viewed_at
          ? `Your last look was on ${when.format(Date.parse(look.last_viewed_at))}. `
          : 'This is your first look at their shared check-ins. '}
        {checkins}
      </p>
      <p>{newsLine(look)}</p>
    </section>
  );
}
