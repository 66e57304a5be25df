// The shell: opens the phone's database, keeps the snapshot fresh, routes between screens.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { openAlongsideDB, wipeAlongsideDB, type AlongsideDB } from '../shared/db';
import { announce, CHANNEL, type ChannelMessage, type DrainReason } from '../shared/drain-scheduler';
import { refreshSupport } from '../shared/help';
import { AppLink } from './AppLink';
import { Caseload } from './Caseload';
import { CheckIn } from './CheckIn';
import { Help } from './Help';
import { History } from './History';
import { HowItWorks } from './HowItWorks';
import { Join } from './Join';
import { Nav } from './Nav';
import { Person } from './Person';
import { Research } from './Research';
import { pageFetch } from './session';
import { Settings } from './Settings';
import { SignIn } from './SignIn';
import { AppContext, EMPTY, readSnapshot, type AppValue, type Snapshot } from './state';
import { StatusLine } from './StatusLine';
import { startSyncRunner } from './sync-runner';
import { UpdateBanner } from './UpdateBanner';

// Help is public: reachable signed out and offline (DESIGN.md §11).
const PUBLIC_ROUTES = new Set(['/signin', '/join', '/help']);

/** The caseload and a person's page use a laptop's width; every other screen reads as a column. */
function pageClass(role: string | null, path: string): string {
  if (role !== 'peer_worker') return 'page';
  if (path === '/') return 'page page-wide';
  return path.startsWith('/people/') ? 'page page-person' : 'page';
}

function currentPath(): string {
  return window.location.pathname;
}

export function App() {
  const [db, setDb] = useState<AlongsideDB | null>(null);
  const [data, setData] = useState<Snapshot>(EMPTY);
  const [loaded, setLoaded] = useState(false);
  const [path, setPath] = useState(currentPath());
  const [online, setOnline] = useState(navigator.onLine);
  const [sending, setSending] = useState(false);
  const dbRef = useRef<AlongsideDB | null>(null);
  const runner = useRef<{ drainNow: (reason: DrainReason) => void; stop: () => void } | null>(null);

  const refresh = useCallback(async () => {
    const current = dbRef.current;
    if (!current) return;
    setData(await readSnapshot(current));
    setLoaded(true);
  }, []);

  // The help contacts and thresholds, for this person's service (or the national ones when
  // signed out). A failure keeps what the phone has: the stored copy or the built-in defaults.
  const refreshHelp = useCallback(async () => {
    const current = dbRef.current;
    if (!current) return;
    try {
      await refreshSupport(current, pageFetch);
    } catch {
      return;
    }
    if (dbRef.current === current) await refresh();
  }, [refresh]);

  const adopt = useCallback(
    async (next: AlongsideDB) => {
      dbRef.current = next;
      setDb(next);
      await refresh();
      // On open, after signing in or joining, and after signing out: help for whoever is here.
      void refreshHelp();
    },
    [refresh, refreshHelp],
  );

  useEffect(() => {
    void openAlongsideDB().then(adopt);
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
      if (event.data.type === 'draining') setSending(event.data.active);
      else void refresh();
    };
    const onPop = () => setPath(currentPath());
    const onOnline = () => {
      setOnline(true);
      void refreshHelp();
    };
    const onOffline = () => setOnline(false);
    window.addEventListener('popstate', onPop);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    return () => {
      channel.close();
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }, [adopt, refresh, refreshHelp]);

  const signedIn = Boolean(data.profile);
  const role = data.profile?.role ?? null;
  // Only service users have check-ins of their own to keep and send.
  const keepsCheckins = role === 'service_user';
  useEffect(() => {
    if (!keepsCheckins) return undefined;
    runner.current = startSyncRunner(() => dbRef.current);
    return () => {
      runner.current?.stop();
      runner.current = null;
    };
  }, [keepsCheckins]);

  const navigate = useCallback((to: string) => {
    if (to !== currentPath()) window.history.pushState(null, '', to);
    setPath(to);
    window.scrollTo(0, 0);
    // A new screen: move focus to its content, as a page load would for screen readers.
    window.requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
  }, []);

  const value = useMemo<AppValue | null>(
    () =>
      db && {
        db,
        data,
        online,
        sending,
        refresh,
        navigate,
        adopt,
        sync: (reason) => runner.current?.drainNow(reason),
        wipe: async () => {
          runner.current?.stop();
          runner.current = null;
          await wipeAlongsideDB(db);
          await adopt(await openAlongsideDB());
          announce({ type: 'changed' });
        },
      },
    [db, data, online, sending, refresh, navigate, adopt],
  );

  // Routes that need the person signed in send them to sign in; the public ones go home once
  // they are (unless they are signing in again to the same account).
  useEffect(() => {
    if (!loaded) return;
    if (!signedIn && !PUBLIC_ROUTES.has(path)) navigate('/signin');
    else if (signedIn && path === '/join') navigate('/');
    else if (signedIn && path === '/signin' && !data.needsSignIn) navigate('/');
  }, [loaded, signedIn, path, data.needsSignIn, navigate]);

  if (!value || !loaded) {
    return (
      <main id="main" class="page">
        <p role="status">Opening Alongside…</p>
      </main>
    );
  }

  let screen;
  let title;
  const editMatch = /^\/checkin\/([0-9a-f-]{36})$/.exec(path);
  if (path === '/help') [screen, title] = [<Help />, 'Get help now'];
  else if (path === '/signin') [screen, title] = [<SignIn />, 'Sign in'];
  else if (path === '/join') [screen, title] = [<Join />, 'Join'];
  else if (!signedIn) [screen, title] = [null, ''];
  else if (path === '/settings') [screen, title] = [<Settings />, 'Settings'];
  // How concerns are worked out: for staff; a service user's own screens never raise concerns.
  else if (path === '/how-it-works' && !keepsCheckins) [screen, title] = [<HowItWorks />, 'How it works'];
  else if (role === 'peer_worker') {
    const person = /^\/people\/([0-9a-f-]{36})$/.exec(path);
    [screen, title] = person ? [<Person key={person[1]} id={person[1]!} />, 'Person'] : [<Caseload />, 'Caseload'];
  } else if (role === 'researcher') [screen, title] = [<Research />, 'Research export'];
  else if (!keepsCheckins) [screen, title] = [<Settings />, 'Settings'];
  else if (path === '/history') [screen, title] = [<History />, 'History'];
  else if (editMatch) [screen, title] = [<CheckIn key={editMatch[1]} editing={editMatch[1]!} />, 'Edit check-in'];
  else [screen, title] = [<CheckIn key="new" editing={null} />, 'Check in'];
  document.title = title ? `${title} · Alongside` : 'Alongside';

  return (
    <AppContext.Provider value={value}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="top-row">
          <p class="brand">Alongside</p>
          {/* Help one tap away on every screen, signed in or not (DESIGN.md §11). */}
          <AppLink href="/help" class="help-link" current={path === '/help'}>
            Get help now
          </AppLink>
        </div>
        {signedIn && <Nav path={path} role={role} />}
      </header>
      <UpdateBanner />
      {keepsCheckins && <StatusLine />}
      {/* The caseload is a wide table-like grid on a laptop; every other screen keeps a reading width. */}
      <main id="main" class={pageClass(role, path)} tabIndex={-1}>
        {screen}
      </main>
    </AppContext.Provider>
  );
}
