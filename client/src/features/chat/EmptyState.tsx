import { useChatActions } from './chatActions';
import { selectIsBusy, useChatStore } from './chatStore';
import { LogoMark } from '../../components/LogoMark';

/** Example requests offered on an empty chat; clicking one sends it. */
export const EXAMPLE_PROMPTS = [
  'Waterproof trail shoes under $120, size 44',
  'A quiet coffee grinder for espresso',
  'Lightweight 2-person tent',
  'Headphones for running',
] as const;

/** The welcome shown before the first message. */
export function EmptyState() {
  const actions = useChatActions();
  const isBusy = useChatStore(selectIsBusy);
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <LogoMark className="welcome-mark" />
      <h2 id="welcome-title">What are you shopping for?</h2>
      <p className="welcome-text">
        Tell me what you need (budget, size, how you will use it) and I will find matching products in the shop&apos;s catalogue
        and compare them for you.
      </p>
      <ul className="prompt-list" aria-label="Example questions">
        {EXAMPLE_PROMPTS.map((prompt) => (
          <li key={prompt}>
            <button type="button" className="prompt-button" disabled={isBusy} onClick={() => actions.send(prompt)}>
              {prompt}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
