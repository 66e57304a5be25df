// The person's own check-ins: a trend chart per domain, then the list, each editable and
// deletable (offline too).
import { useState } from 'preact/hooks';
import type { LocalCheckin } from '../shared/db';
import { announce } from '../shared/drain-scheduler';
import type { Instrument, InstrumentsBundle } from '../shared/instruments';
import { plainLabel, plainTitle } from '../shared/plain-names';
import { deleteCheckin } from '../shared/outbox';
import { domainRange, domainScore } from '../shared/scoring';
import { NeedsAttention } from './NeedsAttention';
import { useApp } from './state';
import { TrendChart, type Point } from './TrendChart';

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

interface Series {
  id: string;
  label: string;
  points: Point[];
  range: [number, number];
  lowerIsBetter: boolean;
}

/** One series per domain of every instrument the person has answered, oldest point first. */
export function seriesFor(bundle: InstrumentsBundle, checkins: LocalCheckin[]): Series[] {
  const series: Series[] = [];
  const ordered = [...checkins].sort((a, b) => Date.parse(a.data!.recorded_at) - Date.parse(b.data!.recorded_at));
  for (const instrument of bundle.instruments) {
    for (const domain of instrument.scoring.domains) {
      const points: Point[] = [];
      for (const checkin of ordered) {
        const response = checkin.data?.responses.find((r) => r.instrument === instrument.id);
        if (!response) continue;
        const value = domainScore(instrument, domain, response.answers);
        if (value !== null) points.push({ at: Date.parse(checkin.data!.recorded_at), value });
      }
      if (points.length) {
        series.push({
          id: `${instrument.id}-${domain.id}`,
          label: plainLabel(instrument.id, domain.id, domain.label),
          points,
          range: domainRange(instrument, domain),
          lowerIsBetter: domain.direction === 'lower_is_better',
        });
      }
    }
  }
  return series;
}

function titles(bundle: InstrumentsBundle | null, checkin: LocalCheckin): string {
  const byId = new Map<string, Instrument>((bundle?.instruments ?? []).map((i) => [i.id, i]));
  return (checkin.data?.responses ?? []).map((r) => {
    const instrument = byId.get(r.instrument);
    return instrument ? plainTitle(instrument) : r.instrument;
  }).join(', ');
}

export function History() {
  const { db, data, refresh, navigate, sync } = useApp();
  const [confirming, setConfirming] = useState<string | null>(null);
  const series = data.instruments ? seriesFor(data.instruments, data.checkins) : [];

  const remove = async (id: string) => {
    await deleteCheckin(db, id);
    setConfirming(null);
    announce({ type: 'changed' });
    await refresh();
    sync('save');
  };

  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <NeedsAttention />
      {series.length > 0 && (
        <section aria-labelledby="trends-title">
          <h2 id="trends-title">Trends</h2>
          {series.map((s) => (
            <TrendChart key={s.id} id={s.id} label={s.label} points={s.points} range={s.range} lowerIsBetter={s.lowerIsBetter} />
          ))}
        </section>
      )}
      <section aria-labelledby="list-title">
        <h2 id="list-title">Your check-ins</h2>
        {data.checkins.length === 0 ? (
          <p>No check-ins yet.</p>
        ) : (
          <ul class="cards" data-testid="checkin-list">
            {data.checkins.map((checkin) => {
              const label = when.format(Date.parse(checkin.data!.recorded_at));
              return (
                <li key={checkin.id} class="card checkin-card">
                  <h3>{label}</h3>
                  <p>{titles(data.instruments, checkin)}</p>
                  <p class="hint">
                    {checkin.data!.shared ? 'Shared with your peer worker' : 'Private to you'}
                    {checkin.server ? '' : ' · not sent yet'}
                  </p>
                  {checkin.data!.note && <p class="note">{checkin.data!.note}</p>}
                  <div class="actions">
                    <button type="button" class="button" aria-label={`Edit check-in of ${label}`} onClick={() => navigate(`/checkin/${checkin.id}`)}>
                      Edit
                    </button>
                    {confirming === checkin.id ? (
                      <>
                        <button type="button" class="button danger" onClick={() => remove(checkin.id)}>
                          Yes, delete it
                        </button>
                        <button type="button" class="button" onClick={() => setConfirming(null)}>
                          Keep it
                        </button>
                      </>
                    ) : (
                      <button type="button" class="button" aria-label={`Delete check-in of ${label}`} onClick={() => setConfirming(checkin.id)}>
                        Delete
                      </button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </section>
  );
}
