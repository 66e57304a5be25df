import { useApp } from './state';

const SETTINGS = { href: '/settings', label: 'Settings' };
const LINKS: Record<string, { href: string; label: string }[]> = {
  service_user: [{ href: '/', label: 'Check in' }, { href: '/history', label: 'History' }, SETTINGS],
  peer_worker: [{ href: '/', label: 'Caseload' }, SETTINGS],
  researcher: [{ href: '/', label: 'Research export' }, SETTINGS],
};

/** The main screens for the person's role; the current one is marked for screen readers too. */
export function Nav({ path, role }: { path: string; role: string | null }) {
  const { navigate } = useApp();
  const links = LINKS[role ?? ''] ?? [SETTINGS];
  return (
    <nav aria-label="Main">
      <ul class="nav">
        {links.map((link) => {
          const current =
            link.href === '/' ? path === '/' || path.startsWith('/checkin') || path.startsWith('/people') : path === link.href;
          return (
            <li key={link.href}>
              <a
                href={link.href}
                aria-current={current ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  navigate(link.href);
                }}
              >
                {link.label}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
