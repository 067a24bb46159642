import { useTranslation } from 'react-i18next';
import { useChatActions } from './chatActions';
import { selectIsBusy, useChatStore } from './chatStore';
import { LogoMark } from '../../components/LogoMark';
import { useBrand } from '../../lib/storefront';

/** Example requests offered on an empty chat when the shop sets none (`brand.examplePrompts`); clicking one sends it. */
const EXAMPLE_PROMPT_KEYS = ['welcome.prompt1', 'welcome.prompt2', 'welcome.prompt3', 'welcome.prompt4'] as const;

/** The welcome shown before the first message, in the shop's words when it set them. */
export function EmptyState() {
  const { t } = useTranslation();
  const actions = useChatActions();
  const isBusy = useChatStore(selectIsBusy);
  const brand = useBrand();
  const prompts = brand.examplePrompts ?? EXAMPLE_PROMPT_KEYS.map((key) => t(key));
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <LogoMark className="welcome-mark" src={brand.logoUrl} />
      <h2 id="welcome-title">{brand.greeting ?? t('welcome.greeting')}</h2>
      <p className="welcome-text">{t('welcome.text')}</p>
      <ul className="prompt-list" aria-label={t('landmarks.exampleQuestions')}>
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
