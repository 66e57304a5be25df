// "Get help now": open to everyone, signed in or not, online or not (DESIGN.md §11). The
// contacts are the service's as last fetched, or the national ones built into the app.
import { isEmergency, supportOrDefaults } from '../shared/help';
import { EmergencyHelp } from './EmergencyHelp';
import { HelpContacts } from './HelpContacts';
import { useApp } from './state';

export function Help() {
  const { data } = useApp();
  const support = supportOrDefaults(data.support);
  const contacts = support.contacts.filter((contact) => !isEmergency(contact));
  const peerWorker = data.profile?.role === 'service_user' ? data.profile.peer_worker : null;
  return (
    <section aria-labelledby="help-title">
      <h1 id="help-title">Get help now</h1>
      <EmergencyHelp />
      <h2>Talk to someone now</h2>
      <p>You can contact any of these. They are there to listen and help.</p>
      <HelpContacts contacts={contacts} />
      {peerWorker && (
        <>
          <h2>Talk to your peer worker</h2>
          <p>
            Your peer worker is {peerWorker.username}. You can tell them how things are when you are next in touch. If
            you need help straight away, use the contacts above.
          </p>
        </>
      )}
      <p class="hint">{support.service ? `Contacts from ${support.service}. ` : ''}You can see this page without the internet.</p>
    </section>
  );
}
