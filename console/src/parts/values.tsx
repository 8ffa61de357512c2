import type { ReactNode } from 'react';

/** A value as the console prints it: strings as they are, the rest as compact JSON. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A time (ISO text or epoch ms) in the reader's locale, with the exact instant in `dateTime`. */
export function Time(props: { at: string | number | null | undefined }) {
  if (props.at === null || props.at === undefined) return <>—</>;
  const date = new Date(props.at);
  return <time dateTime={date.toISOString()}>{date.toLocaleString()}</time>;
}

/** A two-column table of names and values, with a caption; says "none" when empty. */
export function KeyValues(props: { caption: string; entries: [string, ReactNode][] }) {
  if (props.entries.length === 0)
    return (
      <section aria-label={props.caption}>
        <h3>{props.caption}</h3>
        <p className="muted">None.</p>
      </section>
    );
  return (
    <section aria-label={props.caption}>
      <h3>{props.caption}</h3>
      <table>
        <tbody>
          {props.entries.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** JSON, indented, in a scrollable block that keyboard users can reach and scroll, named by its caption. */
export function Json(props: { value: unknown; label: string }) {
  return (
    <figure className="json-figure">
      <figcaption className="sr-only">{props.label}</figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must be reachable by keyboard */}
      <pre className="json" tabIndex={0}>
        {JSON.stringify(props.value, null, 2)}
      </pre>
    </figure>
  );
}
