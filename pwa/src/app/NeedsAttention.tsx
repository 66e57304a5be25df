// Check-ins the server would not take, kept on the phone until the person fixes or discards them.
import { announce } from '../shared/drain-scheduler';
import { discardRejected, keepMine } from '../shared/outbox';
import { useApp } from './state';

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function NeedsAttention() {
  const { db, data, refresh, navigate, sync } = useApp();
  if (!data.rejected.length) return null;
  const after = async () => {
    announce({ type: 'changed' });
    await refresh();
  };
  return (
    <section aria-labelledby="attention-title" class="attention">
      <h2 id="attention-title">Needs a look</h2>
      <ul class="cards">
        {data.rejected.map((entry) => {
          const recorded = entry.change.data?.recorded_at;
          const heading = recorded ? `Check-in of ${when.format(Date.parse(recorded))}` : 'A deleted check-in';
          return (
            <li key={entry.id} class="card">
              <h3>{heading}</h3>
              {entry.reason === 'changed_elsewhere' ? (
                <p>It was also changed on another device. Choose which version to keep.</p>
              ) : (
                <>
                  <p>Alongside could not accept it:</p>
                  <ul>
                    {Object.entries(entry.errors).flatMap(([field, messages]) =>
                      messages.map((m) => <li key={field + m}>{m}</li>),
                    )}
                  </ul>
                </>
              )}
              <div class="actions">
                {entry.reason === 'changed_elsewhere' ? (
                  <button
                    type="button"
                    class="button"
                    onClick={async () => {
                      await keepMine(db, entry.id);
                      await after();
                      sync('manual');
                    }}
                  >
                    Keep this phone's version
                  </button>
                ) : (
                  entry.change.op === 'put' && (
                    <button type="button" class="button" onClick={() => navigate(`/checkin/${entry.id}`)}>
                      Fix it
                    </button>
                  )
                )}
                <button
                  type="button"
                  class="button"
                  onClick={async () => {
                    await discardRejected(db, entry.id);
                    await after();
                  }}
                >
                  {entry.reason === 'changed_elsewhere' ? 'Use the other version' : 'Discard this change'}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
