import { Link } from 'react-router';

/** Shown for any address the app does not know. */
export function NotFoundPage() {
  return (
    <main className="not-found">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link to="/" className="button-primary">
        Back to the chat
      </Link>
    </main>
  );
}
