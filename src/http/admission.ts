import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TailorError } from '../errors.ts';
import { REQUEST_MAX_BYTES } from '../ingest/ingest-limits.ts';
import { replyWithError } from './error-reply.ts';

/** How much client work Tailor takes in at once; past it, requests get 429 before their body is read. */
export interface AdmissionLimits {
  /** Body bytes of admitted tracking and decide requests not yet answered, all clients together. */
  maxInflightBytes: number;
  /**
   * The queue time at which a waiting client event is refused (the engine's `maxQueueMs`): new
   * requests are refused once the oldest waiting event has waited half of it.
   */
  maxQueueMs: number;
}

/** Laptop defaults: 16 MiB of bodies in flight (32 full 500 KB batches), 2 s of queue. */
export const DEFAULT_ADMISSION: AdmissionLimits = { maxInflightBytes: 16 * 1024 * 1024, maxQueueMs: 2_000 };

/**
 * Admission of client requests by bytes and by how far the writer is behind. Pure accounting:
 * `admit` says yes (with a release to call once, when the request is answered) or no. One
 * request larger than the budget is admitted when nothing else is in flight, so a small budget
 * cannot lock out a legal request.
 */
export class Admission {
  private inflight = 0;
  private readonly limits: AdmissionLimits;
  private readonly queueWaitMs: () => number;

  constructor(input: { limits: AdmissionLimits; queueWaitMs: () => number }) {
    this.limits = input.limits;
    this.queueWaitMs = input.queueWaitMs;
  }

  /** Bytes admitted and not yet released. */
  get inflightBytes(): number {
    return this.inflight;
  }

  /** Admits `bytes` of work, returning its release (idempotent), or undefined when it must wait. */
  admit(bytes: number): (() => void) | undefined {
    if (this.queueWaitMs() >= this.limits.maxQueueMs / 2) return undefined;
    if (this.inflight > 0 && this.inflight + bytes > this.limits.maxInflightBytes) return undefined;
    this.inflight += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflight -= bytes;
    };
  }
}

/**
 * What a request may cost before its body is read: its Content-Length when the body is sent
 * plain (at most the 500 KB request limit), else the limit itself: a chunked body has no
 * length yet, and a gzip body may inflate up to the limit.
 */
export function admissionCost(headers: FastifyRequest['headers']): number {
  const encoding = headers['content-encoding'];
  const plain =
    encoding === undefined || encoding.trim() === '' || encoding.trim().toLowerCase() === 'identity';
  const length = Number(headers['content-length']);
  if (!plain || headers['content-length'] === undefined || !Number.isFinite(length) || length < 0)
    return REQUEST_MAX_BYTES;
  return Math.min(length, REQUEST_MAX_BYTES);
}

/**
 * Gates client work: an `onRequest` hook (the first hook, before the body is read or parsed)
 * on the POST routes named, which answers 429 OVERLOADED with `Retry-After` when the request
 * is not admitted, and releases what it admitted once the answer is sent or the client goes.
 * Register it before the routes.
 */
export function gateClientRequests(
  app: FastifyInstance,
  input: { admission: Admission; routes: ReadonlySet<string> },
): void {
  const releases = new WeakMap<FastifyRequest, () => void>();
  const release = (request: FastifyRequest): void => {
    releases.get(request)?.();
    releases.delete(request);
  };
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.method !== 'POST' || !input.routes.has(request.routeOptions.url ?? '')) {
      done();
      return;
    }
    const admitted = input.admission.admit(admissionCost(request.headers));
    if (admitted === undefined) {
      replyWithError(new TailorError('OVERLOADED'), request, reply);
      return;
    }
    releases.set(request, admitted);
    reply.raw.once('close', admitted);
    done();
  });
  app.addHook('onResponse', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    release(request);
    done();
  });
  app.addHook('onRequestAbort', (request: FastifyRequest, done: () => void) => {
    release(request);
    done();
  });
}
