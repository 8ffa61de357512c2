/** How seen placements are reported. */
export interface ExposureReporterOptions {
  host: string;
  writeKey: string;
  /** Share of the element that must be in view (default 0.5). */
  threshold?: number;
}

/**
 * Records a placement as shown only once it is actually seen: an IntersectionObserver watches
 * each rendered element, and when enough of it is in view its decision's exposure proof is sent
 * to `/v1/exposures` (together with others seen within 250 ms; by `sendBeacon` when the page is
 * hidden first). An element scrolled past unseen is never reported.
 */
export class ExposureReporter {
  private readonly observer: IntersectionObserver | undefined;
  private readonly proofs = new WeakMap<Element, string>();
  private readonly reported = new Set<string>();
  private pending: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ExposureReporterOptions) {
    if (typeof IntersectionObserver === 'undefined') return;
    this.observer = new IntersectionObserver((entries) => this.seen(entries), {
      threshold: options.threshold ?? 0.5,
    });
    addEventListener('pagehide', () => this.send(true));
  }

  /** Watches an element showing a decided placement; replaces the proof it was watched with before. */
  watch(element: Element, proof: string): void {
    if (this.observer === undefined) return;
    this.proofs.set(element, proof);
    this.observer.unobserve(element);
    this.observer.observe(element);
  }

  private seen(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const proof = this.proofs.get(entry.target);
      this.observer?.unobserve(entry.target);
      if (proof === undefined || this.reported.has(proof)) continue;
      this.reported.add(proof);
      this.pending.push(proof);
    }
    if (this.pending.length > 0 && this.timer === undefined)
      this.timer = setTimeout(() => this.send(false), 250);
  }

  private send(leaving: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const body = JSON.stringify({ writeKey: this.options.writeKey, exposures: this.pending });
    this.pending = [];
    const url = `${this.options.host}/v1/exposures`;
    if (leaving && typeof navigator.sendBeacon === 'function')
      navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }));
    else
      void fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
        keepalive: true,
      }).catch(() => {});
  }
}
