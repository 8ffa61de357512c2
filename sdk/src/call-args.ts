/**
 * analytics.js's argument shapes, normalized: optional leading strings, then properties or
 * traits, then options, with a callback allowed in any trailing position.
 */
export type Callback = () => void;
type Obj = Record<string, unknown>;

/** Per-call options, as analytics.js takes them (`context`, `anonymousId`, `timestamp`…). */
export interface CallOptions {
  context?: Obj;
  anonymousId?: string;
  timestamp?: Date | string;
  integrations?: Obj;
  /** Tailor: the identity token of the `userId` (see `identify`). */
  userToken?: string;
  [key: string]: unknown;
}

export const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** Splits trailing arguments into (object, options, callback). */
function tail(args: unknown[]): { data: Obj; options: CallOptions; callback: Callback | undefined } {
  const callback = args.find((arg): arg is Callback => typeof arg === 'function');
  const objects = args.filter((arg) => isObject(arg) || arg === null || arg === undefined);
  return {
    data: isObject(objects[0]) ? objects[0] : {},
    options: isObject(objects[1]) ? objects[1] : {},
    callback,
  };
}

/** `page([category], [name], [properties], [options], [callback])`. */
export function pageArgs(args: unknown[]) {
  const strings: string[] = [];
  let i = 0;
  while (i < args.length && i < 2 && (typeof args[i] === 'string' || args[i] === null)) {
    const arg = args[i];
    if (typeof arg === 'string') strings.push(arg);
    i++;
  }
  const rest = tail(args.slice(i));
  const [category, name] = strings.length === 2 ? strings : [undefined, strings[0]];
  return { category, name, properties: rest.data, options: rest.options, callback: rest.callback };
}

/** `identify([userId], [traits], [options], [callback])` (also `group(groupId, …)`). */
export function idArgs(args: unknown[]) {
  const id = typeof args[0] === 'string' || typeof args[0] === 'number' ? String(args[0]) : undefined;
  const rest = tail(id === undefined && !(args[0] === null) ? args : args.slice(1));
  return { id, traits: rest.data, options: rest.options, callback: rest.callback };
}

/** `track(event, [properties], [options], [callback])`. */
export function trackArgs(args: unknown[]) {
  const rest = tail(args.slice(1));
  return { event: String(args[0]), properties: rest.data, options: rest.options, callback: rest.callback };
}
