import { useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import '../../../styles/agent.css';
import { LogoMark } from '../../../components/LogoMark';
import { AgentActionsContext } from '../agentActions';
import { AlertControls } from '../alerts/AlertControls';
import { signOut } from '../agentApi';
import { agentStore, selectIsAdmin, useAgentStore } from '../agentStore';
import { CheckingSession } from '../signIn/LoginPage';
import { SignInForm } from '../signIn/SignInForm';
import { useAgentSocket } from '../useAgentSocket';
import { useSession } from '../useSession';

/**
 * `/agent` and its pages: the sign-in form when signed out (the address is kept, so the agent lands
 * where they were going), otherwise the console header around the current page.
 */
export function AgentLayout() {
  const session = useSession();
  if (session === 'checking') return <CheckingSession />;
  if (session === 'signed-out') return <SignInForm />;
  return <SignedInConsole />;
}

function SignedInConsole() {
  const actions = useAgentSocket();
  return (
    <AgentActionsContext value={actions}>
      <div className="agent-app">
        <a className="skip-link" href="#agent-main">
          Skip to content
        </a>
        <ConsoleHeader />
        <ConnectionBanner />
        <main id="agent-main" className="agent-main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </AgentActionsContext>
  );
}

function ConsoleHeader() {
  const agent = useAgentStore((s) => s.agent);
  const isAdmin = useAgentStore(selectIsAdmin);
  const [isSigningOut, setIsSigningOut] = useState(false);

  const handleSignOut = async () => {
    setIsSigningOut(true);
    await signOut();
    setIsSigningOut(false);
    // Whatever the server said, this console stops here; the cookie is gone or soon expires.
    agentStore.getState().signedOut('You signed out.');
  };

  const { pathname } = useLocation();
  const linkClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'agent-nav-link is-active' : 'agent-nav-link');
  // A transcript's page belongs to "Transcripts" too.
  const isTranscripts = pathname === '/agent' || pathname === '/agent/' || pathname.startsWith('/agent/transcripts/');

  return (
    <header className="agent-header">
      <div className="agent-brand">
        <LogoMark />
        <span className="agent-brand-name">Aisle</span>
        <span className="agent-brand-tag">Agent console</span>
      </div>
      <nav className="agent-nav" aria-label="Console">
        <NavLink to="/agent" end className={() => linkClass({ isActive: isTranscripts })}>
          Transcripts
        </NavLink>
        <NavLink to="/agent/dashboard" className={linkClass}>
          Dashboard
        </NavLink>
        {isAdmin && (
          <NavLink to="/agent/admin" className={linkClass}>
            Admin
          </NavLink>
        )}
      </nav>
      <div className="agent-account">
        <AlertControls />
        {agent !== null && (
          <span className="agent-who">
            <span className="sr-only">Signed in as </span>
            {agent.name}
            {agent.role === 'admin' && <span className="role-chip">Admin</span>}
          </span>
        )}
        <button type="button" className="button-secondary" onClick={() => void handleSignOut()} disabled={isSigningOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function ConnectionBanner() {
  const connection = useAgentStore((s) => s.connection);
  if (connection !== 'offline') return null;
  return (
    <p className="agent-banner" role="status">
      Live updates paused: reconnecting to the server…
    </p>
  );
}
