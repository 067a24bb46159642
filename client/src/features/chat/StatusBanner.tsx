import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useChatActions } from './chatActions';
import { useChatStore } from './chatStore';
import { errorHint, errorText } from './errorCodes';

/** A reported issue's sentence in the page's language, if there is an issue. */
function issueText(issue: { code: string; message: string } | null | undefined): string | undefined {
  return issue === null || issue === undefined ? undefined : errorText(issue);
}

interface BannerProps {
  tone: 'error' | 'warning' | 'info';
  title: string;
  children?: ReactNode;
  /** Offer "Check again" (re-runs the health check). */
  canRecheck?: boolean;
}

function Banner({ tone, title, children, canRecheck = false }: BannerProps) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const isChecking = useChatStore((s) => s.isCheckingHealth);
  return (
    <div className={`banner banner-${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      <div className="banner-body">
        <p className="banner-title">{title}</p>
        {children}
      </div>
      {canRecheck && (
        <button
          type="button"
          className="button-secondary banner-action"
          onClick={() => actions.checkHealth()}
          disabled={isChecking}
        >
          {isChecking ? t('status.checking') : t('status.checkAgain')}
        </button>
      )}
    </div>
  );
}

/**
 * Tells the shopper why the assistant cannot answer: the server or Ollama unreachable, the model not
 * pulled, or the connection dropped. Driven by `/api/health` and by failed answers' error codes.
 */
export function StatusBanner() {
  const { t } = useTranslation();
  const health = useChatStore((s) => s.health);
  const serviceIssue = useChatStore((s) => s.serviceIssue);
  const serverError = useChatStore((s) => s.serverError);
  const connection = useChatStore((s) => s.connection);

  const banners: ReactNode[] = [];

  if (serverError !== null) {
    banners.push(
      <Banner key="server" tone="error" title={errorText(serverError)} canRecheck>
        {errorHint(serverError) !== undefined && <p>{errorHint(serverError)}</p>}
      </Banner>,
    );
  } else if (connection === 'offline') {
    banners.push(<Banner key="offline" tone="warning" title={t('status.offline')} />);
  }

  const isOllamaDown = health !== null ? !health.ollama.reachable : serviceIssue?.code === 'ollama-unreachable';
  const isModelMissing = !isOllamaDown && (health?.model.available === false || serviceIssue?.code === 'model-not-pulled');

  // Host and pull command come only to the developer on the server's machine (and to agents): a
  // shopper is told what is wrong in plain words, never an address or a command.
  const shopperAdvice = <p>{t('status.tryLater')}</p>;
  if (isOllamaDown) {
    const host = health?.ollama.host;
    banners.push(
      host !== undefined ? (
        <Banner key="ollama" tone="error" title={`Can't reach Ollama at ${host}`} canRecheck>
          <p>
            Aisle answers with a local model served by Ollama. Install Ollama from ollama.com and run <code>ollama serve</code>,
            or set <code>OLLAMA_HOST</code> to where it runs.
          </p>
        </Banner>
      ) : (
        <Banner key="ollama" tone="error" title={issueText(health?.issue ?? serviceIssue) ?? t('status.cantAnswer')} canRecheck>
          {shopperAdvice}
        </Banner>
      ),
    );
  } else if (isModelMissing) {
    const name = health?.model.name;
    const pullCommand = health?.model.pullCommand;
    banners.push(
      <Banner
        key="model"
        tone="error"
        title={
          name !== undefined
            ? `The model ${name} is not downloaded yet`
            : (issueText(health?.issue ?? serviceIssue) ?? t('status.notReady'))
        }
        canRecheck
      >
        {pullCommand !== undefined ? (
          <p>
            Run <code className="command">{pullCommand}</code> once, then check again.
          </p>
        ) : health !== null ? (
          shopperAdvice
        ) : (
          serviceIssue !== null && errorHint(serviceIssue) !== undefined && <p>{errorHint(serviceIssue)}</p>
        )}
      </Banner>,
    );
  } else if (serviceIssue !== null) {
    banners.push(
      <Banner key="service" tone="error" title={errorText(serviceIssue)} canRecheck>
        {errorHint(serviceIssue) !== undefined && <p>{errorHint(serviceIssue)}</p>}
      </Banner>,
    );
  }

  if (health !== null && health.ollama.reachable && health.catalogue.products === 0) {
    banners.push(
      <Banner key="catalogue" tone="info" title={t('status.catalogueEmpty')}>
        <p>{t('status.catalogueEmptyText')}</p>
      </Banner>,
    );
  }

  if (banners.length === 0) return null;
  return (
    <div className="banners" aria-label={t('landmarks.serviceStatus')} role="region">
      {banners}
    </div>
  );
}
