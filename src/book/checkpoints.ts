/**
 * Checkpoints: copies of a pool's state taken as its history grows, so a late event re-costs
 * from the checkpoint before it instead of from the pool's start. A pool takes one every
 * CHECKPOINT_EVERY entries and keeps at most MAX_CHECKPOINTS, spaced further apart the
 * further back they lie (`thin`).
 */
import type { Checkpoint } from './state.js';

/** At most this many checkpoints per pool: a copy of a pool's state can be large. */
export const MAX_CHECKPOINTS = 64;
/** A pool takes a checkpoint every this many entries (then thinned: `thin`). */
export const CHECKPOINT_EVERY = 256;
/** Checkpoints kept per band (see `keeps`) while a pool has room for them. */
const PER_BAND = 4;

/**
 * Whether a pool of `length` entries keeps the checkpoint after its first `index`: counted in
 * slots of `every` entries, the slots from the end fall into bands, each twice as long as the
 * one after it, and a checkpoint in band b stays when its slot is a multiple of 2^b. So each
 * band keeps about `perBand` checkpoints evenly spaced, the spacing grows with the distance
 * back (a late event lands within about a `perBand`-th of its distance from a checkpoint), and
 * the oldest band reaches back to the pool's start. As the history grows a checkpoint's band
 * only rises: what was dropped is never wanted again, so thinning never needs a state that
 * was not kept.
 */
function keeps(index: number, length: number, every: number, perBand: number): boolean {
  const slot = Math.floor(index / every);
  const back = Math.max(0, Math.floor((length - index) / every));
  const band = Math.floor(Math.log2(back / perBand + 1));
  return slot % 2 ** band === 0;
}

/**
 * Keeps a pool's checkpoints bounded (at most MAX_CHECKPOINTS) while they still reach back to
 * its start: by bands (`keeps`), with fewer per band for a history too long for PER_BAND.
 */
export function thin(cps: Checkpoint[], length: number, every: number): void {
  for (let perBand = PER_BAND; perBand >= 1; perBand /= 2) {
    const kept = cps.filter((c) => keeps(c.index, length, every, perBand));
    if (kept.length <= MAX_CHECKPOINTS || perBand === 1) {
      cps.splice(0, cps.length, ...kept.slice(-MAX_CHECKPOINTS));
      return;
    }
  }
}
