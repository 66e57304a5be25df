// The check-in: the brief items always, one longer questionnaire when it is due, an optional
// note and the sharing choice (off unless the person turns it on). Saving writes to the phone
// at once; the outbox sends it when it can.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { announce } from '../shared/drain-scheduler';
import { helpOffered, rememberHelpOffered, supportOrDefaults, veryLowAnswers } from '../shared/help';
import {
  CHECKIN_INSTRUMENT,
  dueInstruments,
  itemsFor,
  type Instrument,
  type InstrumentsBundle,
} from '../shared/instruments';
import { saveCheckin } from '../shared/outbox';
import { plainTitle } from '../shared/plain-names';
import { isoNow } from '../shared/ids';
import { NOTE_MAX_CHARS, type Answer, type CheckinData, type InstrumentResponse } from '../shared/protocol';
import { HardTimePanel } from './HardTimePanel';
import { ItemField } from './ItemField';
import { takeNotice } from './notices';
import { useApp } from './state';
import { Welcome } from './Welcome';

type Answers = Record<string, Record<string, Answer>>;

const EXTRA_PRIORITY = ['who5', 'ons4'];

/** The instruments to show: the check-in plus the most overdue longer one, if any is due. */
export function instrumentsToOffer(bundle: InstrumentsBundle, past: CheckinData[], now: Date): Instrument[] {
  const due = dueInstruments(bundle, past, now);
  const checkin = due.filter((i) => i.id === CHECKIN_INSTRUMENT);
  // One extra at a time keeps a check-in short; the next one comes next time. Wellbeing
  // (WHO-5, then ONS4) goes first, then the others in the server's order.
  const rank = (id: string) => (EXTRA_PRIORITY.indexOf(id) + EXTRA_PRIORITY.length + 1) % (EXTRA_PRIORITY.length + 1);
  const extra = due
    .filter((i) => i.id !== CHECKIN_INSTRUMENT)
    .sort((a, b) => rank(a.id) - rank(b.id))[0];
  return extra ? [...checkin, extra] : checkin;
}

function responsesFrom(instruments: Instrument[], answers: Answers): InstrumentResponse[] {
  const responses: InstrumentResponse[] = [];
  for (const instrument of instruments) {
    const given = Object.fromEntries(
      Object.entries(answers[instrument.id] ?? {}).filter(([, value]) => value !== null),
    );
    // An instrument with nothing answered is left out, not sent empty (PROTOCOL.md).
    if (Object.keys(given).length) {
      responses.push({ instrument: instrument.id, version: instrument.version, answers: given });
    }
  }
  return responses;
}

export function CheckIn({ editing }: { editing: string | null }) {
  const [welcome, setWelcome] = useState(() => takeNotice('welcome'));
  const { db, data, refresh, sync, navigate } = useApp();
  const original = editing ? data.checkins.find((c) => c.id === editing) ?? null : null;
  const bundle = data.instruments;
  const hasPeerWorker = Boolean(data.profile?.peer_worker);

  const instruments = useMemo(() => {
    if (!bundle) return [];
    if (original?.data) {
      const answered = new Set(original.data.responses.map((r) => r.instrument));
      return bundle.instruments.filter((i) => answered.has(i.id));
    }
    return instrumentsToOffer(bundle, data.checkins.flatMap((c) => (c.data ? [c.data] : [])), new Date());
    // Chosen once when the screen opens, so the form does not change under the person.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bundle, original?.id]);

  const [answers, setAnswers] = useState<Answers>(() =>
    Object.fromEntries((original?.data?.responses ?? []).map((r) => [r.instrument, { ...r.answers }])),
  );
  const [note, setNote] = useState(original?.data?.note ?? '');
  const [shared, setShared] = useState(original?.data?.shared ?? false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The "hard time" panel for the check-in just saved, if its answers were very low.
  const [offer, setOffer] = useState<{ id: string; content: CheckinData } | null>(null);
  // Bumped on every save, so the confirmation is brought into view and focused afterwards.
  const [saves, setSaves] = useState(0);
  const confirmation = useRef<HTMLDivElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);
  const offerHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!saves) return;
    // The save button is at the bottom of a long form: show what happened, where it is said.
    confirmation.current?.scrollIntoView({ block: 'start' });
    (offerHeading.current ?? statusLine.current)?.focus({ preventScroll: true });
  }, [saves]);

  if (editing && !original) {
    return (
      <section>
        <h1>Check-in not found</h1>
        <p>It may have been deleted on another device.</p>
      </section>
    );
  }
  if (!bundle) {
    return (
      <section>
        <h1>Check in</h1>
        <p>The questions have not reached this phone yet. Connect to the internet once and they will be kept here.</p>
      </section>
    );
  }

  const setAnswer = (instrument: string, item: string, value: Answer) =>
    setAnswers((current) => ({ ...current, [instrument]: { ...current[instrument], [item]: value } }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage(null);
    setOffer(null);
    const responses = responsesFrom(instruments, answers);
    if (!responses.length) {
      setError('Answer at least one question to save a check-in.');
      return;
    }
    setError(null);
    const content: CheckinData = {
      recorded_at: original?.data?.recorded_at ?? isoNow(),
      shared,
      note: note.trim() ? note.trim() : null,
      responses,
    };
    const id = await saveCheckin(db, content, editing ? { id: editing } : {});
    announce({ type: 'changed' });
    await refresh();
    sync('save');
    // Saved first; help follows (DESIGN.md §11). Scores only: the note is never read.
    const low = veryLowAnswers(responses, bundle.instruments, supportOrDefaults(data.support).urgent);
    const showOffer = low.length > 0 && !(await helpOffered(db, id));
    if (showOffer) await rememberHelpOffered(db, id);
    if (editing && !showOffer) {
      navigate('/history');
      return;
    }
    if (editing) {
      setMessage('Changes saved on this phone. The line above says whether they have been sent.');
    } else {
      setAnswers({});
      setNote('');
      setShared(false);
      setMessage('Check-in saved on this phone. The line above says whether it has been sent.');
    }
    setOffer(showOffer ? { id, content } : null);
    setSaves((n) => n + 1);
  };

  return (
    <section aria-labelledby="checkin-title">
      <h1 id="checkin-title">{editing ? 'Edit check-in' : 'Check in'}</h1>
      {welcome && <Welcome onClose={() => setWelcome(false)} />}
      <div ref={confirmation} class="saved">
        {message && (
          <p class="notice" role="status" tabIndex={-1} ref={statusLine}>
            {message}
          </p>
        )}
        {offer && (
          <HardTimePanel
            checkinId={offer.id}
            saved={offer.content}
            headingRef={offerHeading}
            onClose={() => {
              setOffer(null);
              statusLine.current?.focus();
            }}
          />
        )}
      </div>
      <form onSubmit={submit} noValidate>
        {instruments.map((instrument) => (
          <section key={instrument.id} class="instrument" aria-labelledby={`${instrument.id}-title`}>
            <h2 id={`${instrument.id}-title`}>{plainTitle(instrument)}</h2>
            {instrument.id !== CHECKIN_INSTRUMENT && <p class="hint">Optional. It comes round every few weeks.</p>}
            {instrument.instructions && <p>{instrument.instructions}</p>}
            {itemsFor(instrument, hasPeerWorker).map((item) => (
              <ItemField
                key={item.id}
                name={`${instrument.id}--${item.id}`}
                item={item}
                value={answers[instrument.id]?.[item.id] ?? null}
                onChange={(value) => setAnswer(instrument.id, item.id, value)}
              />
            ))}
          </section>
        ))}
        <div class="field">
          <label for="note">A note for yourself (optional)</label>
          <p class="hint" id="note-hint">
            Only you{shared ? ' and your peer worker' : ''} can read it. At most {NOTE_MAX_CHARS} characters.
          </p>
          <textarea
            id="note"
            rows={3}
            maxLength={NOTE_MAX_CHARS}
            aria-describedby="note-hint"
            value={note}
            onInput={(event) => setNote(event.currentTarget.value)}
          />
        </div>
        <div class="field share">
          <input
            type="checkbox"
            id="shared"
            checked={shared}
            aria-describedby="shared-hint"
            onChange={(event) => setShared(event.currentTarget.checked)}
          />
          <label for="shared">Share this check-in with my peer worker</label>
          <p class="hint" id="shared-hint">
            {hasPeerWorker
              ? 'Off unless you turn it on. When on, your peer worker can see these answers and the note.'
              : 'You have no linked peer worker at the moment, so nobody will see it yet.'}
          </p>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary">
          {editing ? 'Save changes' : 'Save check-in'}
        </button>
      </form>
    </section>
  );
}
