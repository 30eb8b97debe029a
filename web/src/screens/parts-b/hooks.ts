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

/**
 * Leaving a screen by a link inside it (a journal line, an event) removes the element that had
 * focus, and the browser would continue Tab from where it was, in the middle of the next screen.
 * Restart it at the top of the page instead, as a page load does: the next Tab reaches the skip
 * link. Focus that is elsewhere (the menu, after choosing another screen there) is left alone.
 */
export function useRestartTabOnLeave(): void {
  useEffect(() => () => {
    const active = document.activeElement;
    const main = document.getElementById('main');
    if (active && active !== document.body && !main?.contains(active)) return;
    const top = document.querySelector<HTMLElement>('.shell');
    if (!top || top.hasAttribute('tabindex')) return;
    top.setAttribute('tabindex', '-1');
    top.focus({ preventScroll: true });
    top.blur();
    top.removeAttribute('tabindex');
  }, []);
}
