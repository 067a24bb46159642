import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** Shown for any address the app does not know, in the shopper's language. */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <main className="not-found">
      <h1>{t('a11yLang.notFoundTitle')}</h1>
      <p>{t('a11yLang.notFoundText')}</p>
      <Link to="/" className="button-primary">
        {t('a11yLang.notFoundBack')}
      </Link>
    </main>
  );
}
