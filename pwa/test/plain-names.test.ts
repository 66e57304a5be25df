// What a person reads: questionnaire names without scale acronyms, and notices shown once.
import { describe, expect, it } from 'vitest';
import { leaveNotice, takeNotice } from '../src/app/notices';
import { plainLabel, plainTitle } from '../src/shared/plain-names';

describe('plain names', () => {
  it('never shows a scale acronym for the built-in questionnaires', () => {
    const names = ['alongside-checkin', 'who5', 'ons4', 'ons-loneliness'].map((id) =>
      plainTitle({ id, title: `${id.toUpperCase()} (published title)` }),
    );
    expect(names).toEqual(['Your week', 'How you have been feeling', 'How you feel about your life', 'Feeling lonely']);
    expect(plainLabel('who5', 'wellbeing', 'WHO-5 wellbeing (0-100)')).toBe('Wellbeing');
  });

  it('keeps a licensed questionnaire’s own title', () => {
    expect(plainTitle({ id: 'swemwbs', title: 'Short wellbeing scale' })).toBe('Short wellbeing scale');
  });
});

describe('notices', () => {
  it('are shown once, and only by the screen they are for', () => {
    leaveNotice('welcome');
    expect(takeNotice('deleted')).toBe(false);
    expect(takeNotice('welcome')).toBe(true);
    expect(takeNotice('welcome')).toBe(false);
  });
});
