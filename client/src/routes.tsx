import type { RouteObject } from 'react-router';
import { agentRoutes } from './features/agent/agentRoutes';
import { ChatPage } from './features/chat/ChatPage';
import { NotFoundPage } from './features/notFound/NotFoundPage';

/** Every page of the app. Add new pages here, before the catch-all; lazy-load anything shoppers don't need. */
export const routes: RouteObject[] = [
  { path: '/', element: <ChatPage /> },
  // The widget's panel, framed by the shops in widget.allowedOrigins; loaded only there.
  { path: '/embed', lazy: async () => ({ Component: (await import('./features/embed/EmbedPage')).EmbedPage }) },
  // The agent console: every page lazy-loaded, so shoppers never download it.
  ...agentRoutes,
  { path: '*', element: <NotFoundPage /> },
];
