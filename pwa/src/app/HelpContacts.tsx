// The list of places to get help: name, what it is for, how to reach them and when. The help
// screen shows it in full; the "hard time" panel after a check-in shows it compact.
import { smsHref, telHref, webLink, type HelpContact } from '../shared/help';

/** The number a phone line starts with, and what follows it ("then choose option 2"). */
function phoneParts(phone: string): { number: string; rest: string } {
  const match = /^\s*(\+?[\d ]*\d)(.*)$/.exec(phone);
  if (!match) return { number: phone, rest: '' };
  return { number: match[1]!.trim(), rest: match[2]!.replace(/^[\s,;.–-]+/, '').trim() };
}

function ContactWays({ contact, compact }: { contact: HelpContact; compact: boolean }) {
  const tel = telHref(contact.phone);
  const sms = smsHref(contact.text);
  const web = compact ? null : webLink(contact.web);
  const phone = contact.phone ? phoneParts(contact.phone) : null;
  return (
    <div class="help-ways">
      {contact.phone &&
        (tel && phone ? (
          <p class="help-way">
            <a class="button help-action" href={tel}>
              Call {phone.number}
            </a>
            {phone.rest && <span> {phone.rest}</span>}
          </p>
        ) : (
          <p class="help-way">Call {contact.phone}</p>
        ))}
      {contact.text &&
        (sms ? (
          <p class="help-way">
            <a class="button help-action" href={sms}>
              {contact.text}
            </a>
          </p>
        ) : (
          <p class="help-way">{contact.text}</p>
        ))}
      {web && (
        <p class="help-way">
          <a class="help-web" href={web.href}>
            {web.label}
          </a>
        </p>
      )}
    </div>
  );
}

/** The contacts, each with its ways to reach it; `compact` leaves out the purpose and website. */
export function HelpContacts({ contacts, compact = false }: { contacts: HelpContact[]; compact?: boolean }) {
  return (
    <ul class={compact ? 'help-contacts compact' : 'help-contacts'}>
      {contacts.map((contact, index) => (
        <li key={`${index}-${contact.name}`} class="help-contact">
          <h3 class="help-name">{contact.name}</h3>
          {!compact && contact.purpose && <p class="help-purpose">{contact.purpose}</p>}
          <ContactWays contact={contact} compact={compact} />
          {contact.hours && <p class="hint help-hours">Open {contact.hours}</p>}
        </li>
      ))}
    </ul>
  );
}
