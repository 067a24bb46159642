import { agentDisplayNameSchema, createAgentSchema, type Agent, type AgentRole } from '@aisle/shared';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { createAgent, deleteAgent, listAgents, updateAgent, type NewAgent } from '../agentApi';
import { agentStore, selectIsAdmin, useAgentStore } from '../agentStore';
import { CataloguePanel } from './CataloguePanel';
import { ConfigStatusPanel } from './ConfigStatusPanel';

type Load = { status: 'loading' } | { status: 'loaded'; agents: Agent[] } | { status: 'failed'; message: string };

/** `/agent/admin`: agent accounts. Only admins get here (and the server refuses everyone else anyway). */
export function AdminPage() {
  const isAdmin = useAgentStore(selectIsAdmin);
  if (!isAdmin) {
    return (
      <div className="agent-page">
        <title>Admin · Aisle agent console</title>
        <h1>Admin</h1>
        <p role="alert">Only admins can manage agents.</p>
      </div>
    );
  }
  return <AgentAdmin />;
}

function AgentAdmin() {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    let isCancelled = false;
    void listAgents().then((result) => {
      if (isCancelled) return;
      setLoad(result.ok ? { status: 'loaded', agents: result.data } : { status: 'failed', message: result.error.message });
    });
    return () => {
      isCancelled = true;
    };
  }, [version]);

  const handleChanged = (message: string) => {
    setNotice(message);
    reload();
  };

  return (
    <div className="agent-page admin-page">
      <title>Admin · Aisle agent console</title>
      <div className="page-heading">
        <h1>Agents</h1>
      </div>
      <p className="agent-notice-line" role="status">
        {notice ?? ''}
      </p>
      {load.status === 'failed' && (
        <p className="form-error" role="alert">
          {load.message}
        </p>
      )}
      {load.status === 'loading' && <p className="agent-muted">Loading agents…</p>}
      {load.status === 'loaded' && <AgentTable agents={load.agents} onChanged={handleChanged} />}
      <AddAgentForm onAdded={(agent) => handleChanged(`Added ${agent.name} (${agent.email}).`)} />
      <ConfigStatusPanel />
      <CataloguePanel />
    </div>
  );
}

function AgentTable({ agents, onChanged }: { agents: Agent[]; onChanged(message: string): void }) {
  return (
    <div className="table-scroll">
      <table className="data-table agent-table">
        <caption className="sr-only">Agent accounts</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <AgentRow key={agent.id} agent={agent} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AgentRow({ agent, onChanged }: { agent: Agent; onChanged(message: string): void }) {
  const me = useAgentStore((s) => s.agent);
  const isMe = me?.id === agent.id;
  const roleId = useId();
  const [isConfirming, setIsConfirming] = useState(false);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<{ ok: boolean; error?: { message: string } }>, done: string) => {
    setIsBusy(true);
    setError(null);
    const result = await action();
    setIsBusy(false);
    if (result.ok) onChanged(done);
    else setError(result.error?.message ?? 'That did not work.');
  };

  const handleRole = (role: AgentRole) =>
    void run(() => updateAgent(agent.id, { role }), `${agent.name} is now ${role === 'admin' ? 'an admin' : 'an agent'}.`);
  const handleDisable = () =>
    void run(
      () => updateAgent(agent.id, { disabled: !agent.disabled }),
      agent.disabled ? `${agent.name} can sign in again.` : `${agent.name} is disabled and was signed out.`,
    );
  const handleRemove = () => void run(() => deleteAgent(agent.id), `Removed ${agent.name}.`);

  return (
    <tr className={agent.disabled ? 'is-disabled' : undefined}>
      <td>{agent.email}</td>
      <td>
        <DisplayName agent={agent} isMe={isMe} onChanged={onChanged} />
      </td>
      <td>
        <label htmlFor={roleId} className="sr-only">
          Role of {agent.name}
        </label>
        <select
          id={roleId}
          value={agent.role}
          disabled={isBusy || isMe}
          onChange={(e) => handleRole(e.target.value === 'admin' ? 'admin' : 'agent')}
        >
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
        </select>
      </td>
      <td>
        <span className={agent.disabled ? 'status-badge status-disabled' : 'status-badge status-enabled'}>
          {agent.disabled ? 'Disabled' : 'Active'}
        </span>
      </td>
      <td>
        {isMe ? (
          <span className="agent-muted">Your own account</span>
        ) : isConfirming ? (
          <span className="row-actions" role="group" aria-label={`Confirm removing ${agent.name}`}>
            <span>Remove {agent.name}?</span>
            <button type="button" className="button-danger" disabled={isBusy} onClick={handleRemove}>
              Yes, remove {agent.name}
            </button>
            {/* Focus moves here: the Remove button it replaced is gone, and Cancel is the safe choice. */}
            <button type="button" className="button-secondary" autoFocus onClick={() => setIsConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="row-actions">
            <button type="button" className="button-secondary" disabled={isBusy} onClick={handleDisable}>
              {agent.disabled ? 'Enable' : 'Disable'}
              <span className="sr-only"> {agent.name}</span>
            </button>
            <button type="button" className="button-secondary" disabled={isBusy} onClick={() => setIsConfirming(true)}>
              Remove<span className="sr-only"> {agent.name}</span>
            </button>
          </span>
        )}
        {error !== null && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

/**
 * The agent's display name (what shoppers read: "Ann joined the chat"), editable in place. The
 * server checks it again (trimmed, 1 to 60 characters).
 */
function DisplayName({ agent, isMe, onChanged }: { agent: Agent; isMe: boolean; onChanged(message: string): void }) {
  const inputId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const handleSave = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = agentDisplayNameSchema.safeParse(draft ?? '');
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Enter a name.');
      return;
    }
    setIsBusy(true);
    setError(null);
    const result = await updateAgent(agent.id, { name: parsed.data });
    setIsBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setDraft(null);
    // The console header shows the signed-in agent's own name: keep it in step.
    if (isMe) agentStore.getState().signedIn(result.data);
    onChanged(`${agent.name} is now shown as ${result.data.name}.`);
  };

  if (draft === null) {
    return (
      <span className="row-actions">
        <span>
          {agent.name}
          {isMe && <span className="agent-muted"> (you)</span>}
        </span>
        <button type="button" className="button-secondary button-small" onClick={() => setDraft(agent.name)}>
          Edit<span className="sr-only"> display name of {agent.name}</span>
        </button>
      </span>
    );
  }
  return (
    <form className="row-actions" onSubmit={(e) => void handleSave(e)}>
      <label htmlFor={inputId} className="sr-only">
        Display name of {agent.name}
      </label>
      <input
        id={inputId}
        type="text"
        value={draft}
        maxLength={60}
        autoFocus
        aria-invalid={error !== null}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit" className="button-primary button-small" disabled={isBusy}>
        Save
      </button>
      <button type="button" className="button-secondary button-small" onClick={() => setDraft(null)}>
        Cancel
      </button>
      {error !== null && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

const EMPTY: NewAgent = { email: '', name: '', role: 'agent', password: '' };

function AddAgentForm({ onAdded }: { onAdded(agent: Agent): void }) {
  const [form, setForm] = useState<NewAgent>(EMPTY);
  const [errors, setErrors] = useState<string[]>([]);
  const [isBusy, setIsBusy] = useState(false);
  const ids = { email: useId(), name: useId(), role: useId(), password: useId() };

  const update = <K extends keyof NewAgent>(key: K, value: NewAgent[K]) => setForm((f) => ({ ...f, [key]: value }));

  const handleSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = createAgentSchema.safeParse(form);
    if (!parsed.success) {
      setErrors(parsed.error.issues.map((issue) => `${FIELD_NAMES[String(issue.path[0])] ?? 'Form'}: ${issue.message}`));
      return;
    }
    setIsBusy(true);
    setErrors([]);
    const result = await createAgent(parsed.data);
    setIsBusy(false);
    if (!result.ok) {
      setErrors([result.error.message]);
      return;
    }
    setForm(EMPTY);
    onAdded(result.data);
  };

  return (
    <section className="add-agent" aria-labelledby="add-agent-heading">
      <h2 id="add-agent-heading">Add an agent</h2>
      <form className="add-agent-form" onSubmit={(e) => void handleSubmit(e)} noValidate>
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="off"
            value={form.email}
            onChange={(e) => update('email', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input
            id={ids.name}
            type="text"
            autoComplete="off"
            value={form.name}
            onChange={(e) => update('name', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.role}>Role</label>
          <select
            id={ids.role}
            value={form.role}
            onChange={(e) => update('role', e.target.value === 'admin' ? 'admin' : 'agent')}
          >
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => update('password', e.target.value)}
            aria-describedby={`${ids.password}-hint`}
          />
          <p id={`${ids.password}-hint`} className="agent-muted field-hint">
            At least 12 characters. Share it with the agent privately.
          </p>
        </div>
        {errors.length > 0 && (
          <div className="form-error" role="alert">
            {errors.map((error) => (
              <p key={error}>{error}</p>
            ))}
          </div>
        )}
        <button type="submit" className="button-primary" disabled={isBusy}>
          Add agent
        </button>
      </form>
    </section>
  );
}

const FIELD_NAMES: Record<string, string> = { email: 'Email', name: 'Name', role: 'Role', password: 'Password' };
