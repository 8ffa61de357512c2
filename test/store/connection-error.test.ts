import { describe, expect, it } from 'vitest';
import { isConnectionError } from '../../src/store/postgres/connection-error.ts';

/** An Error with a `code`, as `pg` (SQLSTATE) and Node sockets (errno name) throw them. */
function coded(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifying PostgreSQL errors', () => {
  it.each([
    ['admin shutdown (pg_terminate_backend, restart)', coded('57P01'), true],
    ['crash shutdown', coded('57P02'), true],
    ['cannot connect now (starting up)', coded('57P03'), true],
    ['connection failure', coded('08006'), true],
    ['client unable to establish connection', coded('08001'), true],
    ['connection refused', coded('ECONNREFUSED'), true],
    ['connection reset', coded('ECONNRESET'), true],
    ['connection ended under a query', new Error('Connection terminated unexpectedly'), true],
    [
      'a client that already errored',
      new Error('Client has encountered a connection error and is not queryable'),
      true,
    ],
    ['connect timeout', new Error('timeout exceeded when trying to connect'), true],
    ['refused on every address', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), true],
    ['unique violation', coded('23505'), false],
    ['syntax error', coded('42601'), false],
    ['query canceled', coded('57014'), false],
    ['a plain error', new Error('boom'), false],
    ['not an error', 'Connection terminated', false],
  ])('%s', (_name, error, expected) => {
    expect(isConnectionError(error)).toBe(expected);
  });
});
