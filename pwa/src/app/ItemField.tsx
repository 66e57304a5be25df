// One question of an instrument, as a group of large radio buttons with a visible legend.
import type { InstrumentItem } from '../shared/instruments';
import type { Answer } from '../shared/protocol';

interface Option {
  value: Exclude<Answer, null>;
  label: string;
}

/** Every answer the item allows, in display order. */
function optionsFor(item: InstrumentItem): { options: Option[]; compact: boolean; ends: string | null } {
  const r = item.response;
  let options: Option[] = [];
  let compact = false;
  let ends: string | null = null;
  if (r.type === 'scale' || r.type === 'count') {
    const anchors = new Map((r.type === 'scale' ? r.anchors : []).map((a) => [a.value, a.label]));
    const everyLabelled = r.max - r.min + 1 === anchors.size;
    for (let v = r.min; v <= r.max; v += 1) {
      options.push({ value: v, label: everyLabelled ? anchors.get(v)! : String(v) });
    }
    if (everyLabelled) {
      // Frequency scales read best from "all of the time" down.
      options.reverse();
    } else {
      compact = true;
      const low = anchors.get(r.min);
      const high = anchors.get(r.max);
      if (low && high) ends = `${r.min} means “${low}”, ${r.max} means “${high}”.`;
      else if (r.type === 'count' && r.unit) ends = `Number of ${r.unit}, ${r.min} to ${r.max}.`;
    }
  } else if (r.type === 'yes_no') {
    options = [
      { value: true, label: r.yes_label ?? 'Yes' },
      { value: false, label: r.no_label ?? 'No' },
    ];
  } else {
    options = r.options.map((o) => ({ value: o.value, label: o.label }));
  }
  if (item.allow_not_applicable) {
    options.push({ value: 'na', label: item.not_applicable_label ?? 'Not applicable' });
  }
  return { options, compact, ends };
}

interface ItemFieldProps {
  name: string;
  item: InstrumentItem;
  value: Answer;
  onChange: (value: Answer) => void;
}

export function ItemField({ name, item, value, onChange }: ItemFieldProps) {
  const { options, compact, ends } = optionsFor(item);
  const legendId = `${name}-legend`;
  const numeric = options.filter((o) => typeof o.value === 'number');
  const others = compact ? options.filter((o) => typeof o.value !== 'number') : options;
  const radio = (option: Option) => {
    const id = `${name}-${String(option.value)}`;
    return (
      <label key={id} for={id} class={compact && typeof option.value === 'number' ? 'choice compact' : 'choice'}>
        <input
          type="radio"
          id={id}
          name={name}
          checked={value === option.value}
          onChange={() => onChange(option.value)}
        />
        <span>{option.label}</span>
      </label>
    );
  };
  return (
    <fieldset class="item">
      <legend id={legendId}>
        {item.text}
        {item.optional ? <span class="optional"> (optional)</span> : null}
      </legend>
      {ends && <p class="hint">{ends}</p>}
      {compact && <div class="scale">{numeric.map(radio)}</div>}
      {others.length > 0 && <div class="choices">{others.map(radio)}</div>}
      {value !== null && (
        <button type="button" class="link-button" aria-describedby={legendId} onClick={() => onChange(null)}>
          Clear this answer
        </button>
      )}
    </fieldset>
  );
}
