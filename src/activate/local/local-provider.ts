/** How a local provider server should answer the next send. */
export type ProviderFault =
  | { kind: 'server-error' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'invalid-recipient' };

/**
 * A local server speaking one provider's exact wire format, for tests and the demo (a stand-in
 * for a provider Tailor cannot reach): it records every request it accepted and can be told to
 * fail the next one.
 */
export interface LocalProvider {
  /** Messages it accepted, in order: the recipient and the text it carried (as the provider read them). */
  accepted(): { to: string; text: string; idempotencyKey?: string }[];
  /** Makes the next send fail this way (once). */
  failNext(fault: ProviderFault): void;
  close(): Promise<void>;
}
