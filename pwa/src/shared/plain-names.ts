// The names a person reads for each questionnaire and measure: plain words, no scale acronyms
// (the definitions keep their published titles for the codebook and researchers).

const TITLES: Record<string, string> = {
  'alongside-checkin': 'Your week',
  who5: 'How you have been feeling',
  ons4: 'How you feel about your life',
  'ons-loneliness': 'Feeling lonely',
};

const LABELS: Record<string, string> = {
  'who5/wellbeing': 'Wellbeing',
};

/** A questionnaire's heading for the person ("How you have been feeling", not "WHO-5"). */
export function plainTitle(instrument: { id: string; title: string }): string {
  return TITLES[instrument.id] ?? instrument.title;
}

/** A measure's label for the person's own charts. */
export function plainLabel(instrumentId: string, domain: string, label: string): string {
  return LABELS[`${instrumentId}/${domain}`] ?? label;
}
