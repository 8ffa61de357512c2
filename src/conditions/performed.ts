import { parseDuration } from '../time/duration.ts';
import type { BehaviourQuery, EventFilter } from './behaviour-source.ts';
import { type CompileContext, fail, indexPath, keyPath } from './compile-context.ts';
import { type Matcher, NEVER } from './matcher.ts';
import { isOperatorObject, isPlainObject } from './value-guards.ts';

const FIELDS = ['event', 'where', 'count', 'within', 'between', 'never'];

/** A window edge: a fixed instant, or a duration before `now`. */
type Bound = { kind: 'at'; ms: number } | { kind: 'ago'; ms: number };

const AT_LEAST_ONCE: Matcher = (count) => typeof count === 'number' && count >= 1;
const NEVER_DONE: Matcher = (count) => count === 0;

/**
 * Compiles `{ $performed: { event, where?, count?, within?, between?, never? } }`: how often
 * the person did `event` (with properties passing `where`) in the window, asked of the
 * `BehaviourSource` given at evaluation. `count` defaults to at least once; `never: true`
 * means zero times. `within: '7d'` is the last seven days up to `now`; `between: [from, to]`
 * takes instants (ISO strings, epoch ms) or durations ago (`['14d', '7d']`), both inclusive.
 * Without a behaviour source the history is unknown and the condition does not match.
 */
export function compilePerformed(operand: unknown, path: string, context: CompileContext): Matcher {
  if (!isPlainObject(operand))
    return fail(context, path, 'needs an object like { "event": "Order Completed" }');
  const issues = context.issues.length;
  for (const key of Object.keys(operand)) {
    if (!FIELDS.includes(key))
      fail(context, keyPath(path, key), `is not a $performed field; use ${FIELDS.join(', ')}`);
  }
  const { event, where, count, within, between, never } = operand;
  if (typeof event !== 'string' || event === '')
    fail(context, keyPath(path, 'event'), 'needs the event name');
  const filter: EventFilter | undefined =
    where === undefined
      ? undefined
      : context.condition(where, keyPath(path, 'where'), { ...context, subject: 'event' });
  const countTest = compileCount({ count, never, path, context });
  const window = compileWindow({ within, between, path, context });
  if (context.issues.length > issues || typeof event !== 'string') return NEVER;

  context.reads.events.add(event);
  context.reads.performed.push({
    event,
    where: filter,
    window:
      window === undefined
        ? { kind: 'all' }
        : within !== undefined
          ? { kind: 'within', ms: window[0].ms }
          : { kind: 'between' },
  });
  if (window === undefined) {
    const query: BehaviourQuery = filter === undefined ? { event } : { event, where: filter };
    return (_subject, _now, behaviour) => behaviour !== undefined && countTest(behaviour.count(query));
  }
  context.reads.usesTime = true;
  const [from, to] = window;
  return (_subject, now, behaviour) => {
    if (behaviour === undefined) return false;
    const at = now ?? Date.now();
    const since = from.kind === 'at' ? from.ms : at - from.ms;
    const until = to.kind === 'at' ? to.ms : at - to.ms;
    return countTest(
      behaviour.count(
        filter === undefined ? { event, since, until } : { event, where: filter, since, until },
      ),
    );
  };
}

function compileCount(input: {
  count: unknown;
  never: unknown;
  path: string;
  context: CompileContext;
}): Matcher {
  const { count, never, path, context } = input;
  if (never !== undefined && typeof never !== 'boolean')
    return fail(context, keyPath(path, 'never'), 'needs true or false');
  if (never === true) {
    if (count !== undefined) return fail(context, keyPath(path, 'never'), 'cannot be combined with count');
    return NEVER_DONE;
  }
  if (count === undefined) return AT_LEAST_ONCE;
  const at = keyPath(path, 'count');
  const valid =
    (typeof count === 'number' && Number.isInteger(count) && count >= 0) || isOperatorObject(count);
  if (!valid) return fail(context, at, 'needs a whole number or an operator object, like { "$gte": 2 }');
  return context.value(count, at, context, false);
}

function compileWindow(input: {
  within: unknown;
  between: unknown;
  path: string;
  context: CompileContext;
}): [Bound, Bound] | undefined {
  const { within, between, path, context } = input;
  if (within !== undefined && between !== undefined) {
    fail(context, keyPath(path, 'between'), 'cannot be combined with within');
    return undefined;
  }
  if (within !== undefined) {
    const ms = duration(within, keyPath(path, 'within'), context);
    return ms === undefined
      ? undefined
      : [
          { kind: 'ago', ms },
          { kind: 'ago', ms: 0 },
        ];
  }
  if (between === undefined) return undefined;
  const at = keyPath(path, 'between');
  if (!Array.isArray(between) || between.length !== 2) {
    fail(context, at, 'needs [from, to]: ISO timestamps, epoch ms or durations ago like ["14d", "7d"]');
    return undefined;
  }
  const from = bound(between[0], indexPath(at, 0), context);
  const to = bound(between[1], indexPath(at, 1), context);
  if (from === undefined || to === undefined) return undefined;
  if (from.kind === to.kind && (from.kind === 'at' ? from.ms > to.ms : from.ms < to.ms)) {
    fail(context, at, 'starts after it ends');
    return undefined;
  }
  return [from, to];
}

function bound(value: unknown, path: string, context: CompileContext): Bound | undefined {
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value)) && /\d{4}-\d{2}-\d{2}/.test(value)) {
    return { kind: 'at', ms: Date.parse(value) };
  }
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'at', ms: value };
  if (typeof value === 'string') {
    const ms = duration(value, path, context);
    return ms === undefined ? undefined : { kind: 'ago', ms };
  }
  fail(context, path, 'needs an ISO timestamp, epoch ms or a duration ago like "7d"');
  return undefined;
}

function duration(value: unknown, path: string, context: CompileContext): number | undefined {
  if (typeof value !== 'string') {
    fail(context, path, 'needs a duration, like "7d"');
    return undefined;
  }
  try {
    return parseDuration(value);
  } catch (error) {
    fail(context, path, error instanceof Error ? error.message : 'is not a duration');
    return undefined;
  }
}
