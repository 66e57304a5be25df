// Load something from the server for a screen, with the states a person needs to see.
import { useEffect, useState } from 'preact/hooks';
import { explain } from './errors';

export type Remote<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

export function useRemote<T>(load: () => Promise<T>, deps: unknown[]): Remote<T> {
  const [remote, setRemote] = useState<Remote<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setRemote({ state: 'loading' });
    load().then(
      (value) => live && setRemote({ state: 'ready', value }),
      (error) => live && setRemote({ state: 'error', message: explain(error).message }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return remote;
}
