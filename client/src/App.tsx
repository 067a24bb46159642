import { createBrowserRouter } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { routes } from './routes';

const router = createBrowserRouter(routes);

/** The app shell: just the router; pages live in `routes.tsx`. */
export function App() {
  return <RouterProvider router={router} />;
}
