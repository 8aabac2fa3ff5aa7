/** A labelled select: the filters and pickers of the console. */

export type Option = string | readonly [value: string, label: string];

interface ChoiceProps {
  label: string;
  name: string;
  value: string;
  options: readonly Option[];
  /** A first option with the value '' meaning "no filter", e.g. "All queues". */
  all?: string;
  inline?: boolean;
  onChange: (value: string) => void;
}

export function Choice({ label, name, value, options, all, inline = false, onChange }: ChoiceProps) {
  return (
    <label class={inline ? 'inline' : undefined}>
      {label}
      <select name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {all === undefined ? null : <option value="">{all}</option>}
        {options.map((o) => {
          const [v, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}
