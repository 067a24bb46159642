import { useChatActions } from './chatActions';
import { selectIsBusy, useChatStore } from './chatStore';
import { LogoMark } from '../../components/LogoMark';
import { useBrand } from '../../lib/storefront';

/** Example requests offered on an empty chat when the shop sets none (`brand.examplePrompts`); clicking one sends it. */
export const EXAMPLE_PROMPTS = [
  'Waterproof trail shoes under $120, size 44',
  'A quiet coffee grinder for espresso',
  'Lightweight 2-person tent',
  'Headphones for running',
] as const;

/** The heading of the welcome when the shop sets no `brand.greeting`. */
export const DEFAULT_GREETING = 'What are you shopping for?';

/** The welcome shown before the first message, in the shop's words when it set them. */
export function EmptyState() {
  const actions = useChatActions();
  const isBusy = useChatStore(selectIsBusy);
  const brand = useBrand();
  const prompts = brand.examplePrompts ?? EXAMPLE_PROMPTS;
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <LogoMark className="welcome-mark" src={brand.logoUrl} />
      <h2 id="welcome-title">{brand.greeting ?? DEFAULT_GREETING}</h2>
      <p className="welcome-text">
        Tell me what you need (budget, size, how you will use it) and I will find matching products in the shop&apos;s catalogue
        and compare them for you.
      </p>
      <ul className="prompt-list" aria-label="Example questions">
        {prompts.map((prompt) => (
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
