import { useId, useState, type FormEvent } from 'react';
import { LogoMark } from '../../../components/LogoMark';
import { signIn } from '../agentApi';
import { agentStore, useAgentStore } from '../agentStore';

/** The console's sign-in screen. On success the store holds the agent and the console opens. */
export function SignInForm() {
  const notice = useAgentStore((s) => s.signInNotice);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const emailId = useId();
  const passwordId = useId();

  const handleSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (isBusy) return;
    if (email.trim() === '' || password === '') {
      setError('Enter your email and password.');
      return;
    }
    setIsBusy(true);
    setError(null);
    const result = await signIn(email.trim(), password);
    setIsBusy(false);
    if (result.ok) {
      setPassword('');
      agentStore.getState().signedIn(result.data);
      return;
    }
    const { code, message, hint } = result.error;
    if (code === 'unauthorized') setError('Wrong email or password.');
    else setError(hint === undefined ? message : `${message} ${hint}`);
  };

  return (
    <main className="agent-signin">
      <title>Sign in · Aisle agent console</title>
      <form className="signin-card" onSubmit={(e) => void handleSubmit(e)} aria-labelledby="signin-title" noValidate>
        <div className="signin-brand">
          <LogoMark />
          <span>Aisle agent console</span>
        </div>
        <h1 id="signin-title">Sign in</h1>
        {notice !== null && (
          <p className="agent-notice" role="status">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor={emailId}>Email</label>
          <input
            id={emailId}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={error !== null}
          />
        </div>
        <div className="field">
          <label htmlFor={passwordId}>Password</label>
          <input
            id={passwordId}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error !== null}
          />
        </div>
        {error !== null && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button-primary signin-submit" disabled={isBusy}>
          {isBusy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
