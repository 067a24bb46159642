import { Navigate } from 'react-router';
import '../../../styles/agent.css';
import { SignInForm } from './SignInForm';
import { useSession } from '../useSession';

/** `/agent/login`: the sign-in form; a signed-in agent goes straight to the transcripts. */
export function LoginPage() {
  const session = useSession();
  if (session === 'signed-in') return <Navigate to="/agent" replace />;
  if (session === 'checking') return <CheckingSession />;
  return <SignInForm />;
}

/** Shown for the moment it takes to ask the server about the session. */
export function CheckingSession() {
  return (
    <main className="agent-signin" aria-busy="true">
      <p className="agent-muted" role="status">
        Checking your session…
      </p>
    </main>
  );
}
