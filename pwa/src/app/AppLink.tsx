// A link to another screen of the app: a real link (open in a new tab works), followed in place.
import type { ComponentChildren } from 'preact';
import { useApp } from './state';

interface AppLinkProps {
  href: string;
  class?: string;
  /** Marks the link as the screen being shown. */
  current?: boolean;
  children: ComponentChildren;
}

export function AppLink({ href, class: className, current, children }: AppLinkProps) {
  const { navigate } = useApp();
  return (
    <a
      href={href}
      class={className}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        // Ctrl/Cmd/Shift-click keep their usual meaning (new tab, new window).
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
