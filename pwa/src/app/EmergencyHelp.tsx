// The emergency line, always first and apart from the other contacts (DESIGN.md §11).

/** "If your life is at risk now": call 999 or go to A&E. */
export function EmergencyHelp() {
  return (
    <div class="help-emergency">
      <p class="help-emergency-text">If your life is at risk now, call 999 or go to A&amp;E.</p>
      <a class="button help-action" href="tel:999">
        Call 999
      </a>
    </div>
  );
}
