import { useApp } from './state';

const LINKS = [
  { href: '/', label: 'Check in' },
  { href: '/history', label: 'History' },
  { href: '/settings', label: 'Settings' },
];

/** The three main screens; the current one is marked for screen readers too. */
export function Nav({ path }: { path: string }) {
  const { navigate } = useApp();
  return (
    <nav aria-label="Main">
      <ul class="nav">
        {LINKS.map((link) => {
          const current = link.href === '/' ? path === '/' || path.startsWith('/checkin') : path === link.href;
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
