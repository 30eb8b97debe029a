/**
 * Xero's per-tenant rate limits: calls in progress at once, calls per minute, calls per day.
 *
 * - The minute and day limits are **sliding windows** over the calls the sandbox accepted:
 *   a call counts for exactly 60 (or 86,400) Xero seconds after it was accepted.
 * - A refused call (429) does not count against any limit, as with Xero, which counts only the
 *   calls it serves.
 * - Time is scaled: with timeScale 60 a Xero minute lasts one real second. Retry-After is in
 *   Xero seconds (what Xero would say); a client waits Retry-After / timeScale real seconds.
 */

export type LimitProblem = 'concurrent' | 'minute' | 'day';

export interface Limits {
  concurrent: number;
  perMinute: number;
  perDay: number;
}

export type Admission = { ok: true } | { ok: false; problem: LimitProblem; retryAfter: number };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Timestamps (real ms) of accepted calls, oldest first, dropping those older than the window. */
class Window {
  private stamps: number[] = [];
  private head = 0;

  constructor(private readonly spanMs: number) {}

  count(now: number): number {
    while (this.head < this.stamps.length && (this.stamps[this.head] as number) <= now - this.spanMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    return this.stamps.length - this.head;
  }

  add(now: number): void {
    this.stamps.push(now);
  }

  /** Real ms until the oldest counted call leaves the window. */
  untilFree(now: number): number {
    const oldest = this.stamps[this.head];
    return oldest === undefined ? 0 : oldest + this.spanMs - now;
  }
}

export class RateLimiter {
  private inFlight = 0;
  peak = 0;
  private readonly minute: Window;
  private readonly day: Window;

  constructor(private readonly limits: Limits, private readonly timeScale: number) {
    this.minute = new Window(MINUTE_MS / timeScale);
    this.day = new Window(DAY_MS / timeScale);
  }

  /** Admits a call (counting it) or says which limit it hit and how long to wait. */
  acquire(now: number): Admission {
    if (this.day.count(now) >= this.limits.perDay) return this.refuse('day', this.day.untilFree(now));
    if (this.minute.count(now) >= this.limits.perMinute) return this.refuse('minute', this.minute.untilFree(now));
    if (this.inFlight >= this.limits.concurrent) return { ok: false, problem: 'concurrent', retryAfter: 1 };
    this.minute.add(now);
    this.day.add(now);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    return { ok: true };
  }

  release(): void {
    this.inFlight--;
  }

  /** Calls left in the current windows (X-MinLimit-Remaining, X-DayLimit-Remaining). */
  remaining(now: number): { minute: number; day: number } {
    return {
      minute: Math.max(0, this.limits.perMinute - this.minute.count(now)),
      day: Math.max(0, this.limits.perDay - this.day.count(now)),
    };
  }

  /** Retry-After in whole Xero seconds, at least 1. */
  private refuse(problem: LimitProblem, realMs: number): Admission {
    return { ok: false, problem, retryAfter: Math.max(1, Math.ceil((realMs * this.timeScale) / 1000)) };
  }
}
