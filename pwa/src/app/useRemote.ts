// Load something from the server for a screen, with the states a person needs to see.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { explain } from './errors';

export type Remote<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/** Fetch again and show the answer, keeping the current one on screen meanwhile; throws if it fails. */
export type Reload = () => Promise<void>;

export function useRemote<T>(load: () => Promise<T>, deps: unknown[]): Remote<T> & { reload: Reload } {
  const [remote, setRemote] = useState<Remote<T>>({ state: 'loading' });
  const latestLoad = useRef(load);
  latestLoad.current = load;
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  useEffect(() => {
    let current = true;
    setRemote({ state: 'loading' });
    load().then(
      (value) => current && setRemote({ state: 'ready', value }),
      (error) => current && setRemote({ state: 'error', message: explain(error).message }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  // No "Loading…" on a reload: the page stays put and keyboard focus stays where it was.
  const reload = useCallback(async () => {
    const value = await latestLoad.current();
    if (live.current) setRemote({ state: 'ready', value });
  }, []);
  return { ...remote, reload };
}
