// One shared check-in: its date, the note, and the answers in the questions' own words, grouped
// by questionnaire. The answers fold away so a long list stays easy to scan.
import type { SharedCheckin } from './staff';

const at = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function CheckinAnswers({ checkin, open }: { checkin: SharedCheckin; open: boolean }) {
  const count = checkin.answers.reduce((sum, group) => sum + group.items.length, 0);
  return (
    <li class="card">
      <h3>{at.format(Date.parse(checkin.effective_at))}</h3>
      {checkin.note ? <p class="note">{checkin.note}</p> : <p class="hint">No note.</p>}
      {count === 0 ? (
        <p class="hint">No answers.</p>
      ) : (
        <details class="answers" open={open}>
          <summary>Answers ({count})</summary>
          {checkin.answers.map((group) => (
            <div key={group.instrument} class="answer-group">
              <h4>{group.title}</h4>
              <dl>
                {group.items.map((item) => (
                  <div key={item.item} class="answer">
                    <dt>{item.text}</dt>
                    <dd>{item.answer}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))}
        </details>
      )}
    </li>
  );
}
