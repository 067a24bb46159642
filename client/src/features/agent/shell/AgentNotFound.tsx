import { Link } from 'react-router';

/** An address under `/agent` that the console does not know. */
export function AgentNotFound() {
  return (
    <div className="agent-page">
      <title>Not found · Aisle agent console</title>
      <h1>Page not found</h1>
      <p>There is no console page at this address.</p>
      <Link to="/agent">Back to the transcripts</Link>
    </div>
  );
}
