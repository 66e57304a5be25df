// The researcher's view: disclosure-controlled cohort aggregates, to read here or download.
import { useState } from 'preact/hooks';
import { explain } from './errors';
import { aggregates, downloadFrom, shown } from './staff';
import { useApp } from './state';
import { useRemote } from './useRemote';

export function Research() {
  const { db } = useApp();
  const [period, setPeriod] = useState<'week' | 'month'>('month');
  const [message, setMessage] = useState<string | null>(null);
  const remote = useRemote(() => aggregates(db, period), [period]);
  const download = async (format: 'json' | 'csv') => {
    setMessage(null);
    try {
      const stamp = new Date().toISOString().slice(0, 10);
      await downloadFrom(
        db,
        `/api/v1/research/aggregates?period=${period}&format=${format}`,
        `alongside-${period}-${stamp}.${format === 'csv' ? 'zip' : 'json'}`,
      );
      setMessage('Downloaded.');
    } catch (error) {
      setMessage(explain(error).message);
    }
  };
  return (
    <section aria-labelledby="research-title">
      <h1 id="research-title">Research export</h1>
      <p>
        Aggregates of people who consented to research, per service and period. Cells with too few
        people are suppressed.
      </p>
      <fieldset class="item">
        <legend>Period</legend>
        <div class="choices">
          {(['week', 'month'] as const).map((value) => (
            <label key={value} class="choice" for={`period-${value}`}>
              <input type="radio" id={`period-${value}`} name="period" checked={period === value} onChange={() => setPeriod(value)} />
              <span>By {value}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div class="actions">
        <button type="button" class="button" onClick={() => download('csv')}>
          Download CSV files (zip)
        </button>
        <button type="button" class="button" onClick={() => download('json')}>
          Download JSON
        </button>
      </div>
      {message && <p role="status">{message}</p>}
      {remote.state === 'loading' && <p role="status">Loading…</p>}
      {remote.state === 'error' && <p class="error" role="alert">{remote.message}</p>}
      {remote.state === 'ready' &&
        (remote.value.aggregates.length === 0 ? (
          <p>No aggregates yet.</p>
        ) : (
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Aggregates table">
            <table>
              <caption>Aggregates by {period}</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Period</th>
                  <th scope="col">Measure</th>
                  <th scope="col">People</th>
                  <th scope="col">Mean</th>
                  <th scope="col">Median</th>
                </tr>
              </thead>
              <tbody>
                {remote.value.aggregates.slice(0, 200).map((row) => (
                  <tr key={row.service + row.period + row.measure}>
                    <td>{row.service}</td>
                    <td>{row.period}</td>
                    <td>{row.measure}</td>
                    <td>{row.suppressed ? 'too few' : shown(row.n)}</td>
                    <td>{row.suppressed ? '—' : shown(row.mean)}</td>
                    <td>{row.suppressed ? '—' : shown(row.median)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
