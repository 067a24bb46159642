import type { RouteObject } from 'react-router';
import { ChatPage } from './features/chat/ChatPage';
import { NotFoundPage } from './features/notFound/NotFoundPage';

/**
 * Every page of the app. Add new pages here, before the catch-all, e.g. the shop's agent console:
 *   { path: '/agent', lazy: async () => ({ Component: (await import('./features/agent/AgentPage')).AgentPage }) },
 */
export const routes: RouteObject[] = [
  { path: '/', element: <ChatPage /> },
  { path: '*', element: <NotFoundPage /> },
];
