/** Exhaustiveness check for discriminated unions: a `switch` default that cannot be reached. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
