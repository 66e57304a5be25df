// How Alongside decides what to raise, in plain words (DESIGN.md §11: the method is explained
// behind a link, never in the messages themselves). Written for peer workers, not statisticians.
import { AppLink } from './AppLink';
import { useApp } from './state';

export function HowItWorks() {
  const { data } = useApp();
  const back = data.profile?.role === 'peer_worker' ? 'Back to your caseload' : 'Back';
  return (
    <section aria-labelledby="how-title" class="how-it-works">
      <p>
        <AppLink href="/">{back}</AppLink>
      </p>
      <h1 id="how-title">How Alongside decides what to show you</h1>
      <p>
        Alongside only looks at check-ins that people chose to share with you. It never looks at check-ins they kept
        to themselves, and it never reads anyone's notes.
      </p>
      <p>It compares answers to the same questions over time. It does not diagnose anything.</p>

      <h2>Needs a conversation soon</h2>
      <p>
        This shows when a shared check-in has very low answers: for example, very low wellbeing, hope or trust, or
        feeling lonely often or always. One check-in is enough, even their first one.
      </p>
      <p>
        Get in touch with them soon. If you are worried about their safety, follow your service's usual safety
        steps.
      </p>

      <h2>Changed a lot since they started</h2>
      <p>
        Alongside compares their latest answer with the first answer they shared. Everyone's answers go up and down
        a little from week to week. A change only counts as a lot when it is bigger than the usual ups and downs
        for that question.
      </p>
      <p>A change for the worse shows as a concern. A change for the better shows as good news.</p>
      <p>
        Changes are followed for trust in you, hope, connection and wellbeing, the four measures on your caseload.
        Other answers, such as life satisfaction, are on each person's page.
      </p>

      <h2>A sharp drop</h2>
      <p>
        This is a big fall from one shared check-in to the next, bigger than the usual ups and downs. It can happen
        even when they are still doing better than when they started.
      </p>

      <h2>Moved into a worse range</h2>
      <p>
        Wellbeing answers are grouped into ranges, from lower to higher. This shows when their latest answer falls
        into a lower range than the one before, by more than a small wobble around the line between them. Moving
        into a higher range shows as good news.
      </p>

      <h2>Quiet</h2>
      <p>
        This shows when they have not shared a check-in for longer than usual for them, and for at least 2 weeks.
        People get busy, or things get hard. A quiet spell is a reason to get in touch, not a sign that something is
        wrong.
      </p>

      <h2>What happens next</h2>
      <p>
        A concern stays on your caseload until someone marks it as followed up, so nothing slips away unseen. Good
        news stays too, so you can say well done.
      </p>
      <p>
        When you have followed up, open the person's page and choose "Mark as followed up". You can add a short
        note about what you did. The concern then moves to "Past concerns and follow-ups" on their page.
      </p>
      <p>If something new happens after that, Alongside shows it again.</p>
    </section>
  );
}
