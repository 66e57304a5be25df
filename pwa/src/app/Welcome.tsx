// Once, right after joining: what this screen is for, who sees what, and where help is.
export function Welcome({ onClose }: { onClose: () => void }) {
  return (
    <section class="card welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title" class="card-title">
        Welcome to Alongside
      </h2>
      <p>This is your check-in. It takes about a minute. Answer what you like and skip the rest.</p>
      <p>
        Your answers are yours. Your peer worker sees a check-in only if you choose to share it. You can check in
        without the internet: it is sent when you are back online.
      </p>
      <p>If you need someone to talk to, “Get help now” is at the top of every screen.</p>
      <button type="button" class="button" onClick={onClose}>
        Got it
      </button>
    </section>
  );
}
