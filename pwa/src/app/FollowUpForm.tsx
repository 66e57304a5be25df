// After talking with the person: an optional note, then "Mark as followed up", which closes every
// open concern of theirs (DESIGN.md §11: a concern stays until someone acknowledges it).
import { useState } from 'preact/hooks';
import { explain } from './errors';
import { acknowledge } from './staff';
import { useApp } from './state';

interface FollowUpFormProps {
  personId: string;
  /** How many open concerns the button closes, to say so before it is pressed. */
  count: number;
  onDone: (acknowledged: number) => Promise<void>;
}

const NOTE_MAX = 2000;

export function FollowUpForm({ personId, count, onDone }: FollowUpFormProps) {
  const { db } = useApp();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const result = await acknowledge(db, personId, note);
      // The form goes away once nothing is open, so nothing is set here after this.
      await onDone(result.acknowledged);
    } catch (error) {
      const { message, fields } = explain(error);
      setProblem(fields.note ?? message);
      setBusy(false);
    }
  };

  const described = ['follow-up-note-hint', problem && 'follow-up-note-error'].filter(Boolean).join(' ');
  return (
    <form class="follow-up" onSubmit={submit} noValidate>
      <div class="field">
        <label for="follow-up-note">
          Note about how you followed up <span class="optional">(optional)</span>
        </label>
        <p class="hint" id="follow-up-note-hint">
          For example: "Called them. We are meeting on Friday."
        </p>
        <textarea
          id="follow-up-note"
          name="note"
          rows={3}
          maxLength={NOTE_MAX}
          value={note}
          aria-describedby={described}
          aria-invalid={problem ? 'true' : undefined}
          onInput={(event) => setNote(event.currentTarget.value)}
        />
        {problem && (
          <p class="error" id="follow-up-note-error" role="alert">
            {problem}
          </p>
        )}
      </div>
      <p class="hint">This marks {count === 1 ? 'it' : count === 2 ? 'both' : `all ${count}`} as followed up.</p>
      <button type="submit" class="button primary" disabled={busy}>
        {busy ? 'Saving…' : 'Mark as followed up'}
      </button>
    </form>
  );
}
