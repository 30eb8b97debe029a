/** Loading that keeps the last answer on screen while it reloads. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Problem } from '../../api';
import { toProblem } from '../../components/ui';

export interface Quiet<T> { data: T | undefined; problem: Problem | undefined; reload: () => void; set: (f: (d: T) => T) => void }

/**
 * Like useLoad, but a reload (after an action) keeps the current data shown until the new
 * answer arrives, so the screen does not blank out and lose what the user was looking at.
 * A change of `deps` clears it. Only the latest request's answer is used.
 */
export function useQuietLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Quiet<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const latest = useRef(0);
  const reload = (): void => {
    const n = ++latest.current;
    fetcher().then(
      (d) => n === latest.current && (setData(d), setProblem(undefined)),
      (e: unknown) => n === latest.current && setProblem(toProblem(e)),
    );
  };
  useEffect(() => {
    setData(undefined);
    setProblem(undefined);
    reload();
  }, deps);
  const set = (f: (d: T) => T): void => setData((d) => (d === undefined ? d : f(d)));
  return { data, problem, reload, set };
}
