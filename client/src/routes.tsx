import type { RouteObject } from 'react-router';
import { agentRoutes } from './features/agent/agentRoutes';
import { ChatPage } from './features/chat/ChatPage';
import { NotFoundPage } from './features/notFound/NotFoundPage';

/** Every page of the app. Add new pages here, before the catch-all; lazy-load anything shoppers don't need. */
export const routes: RouteObject[] = [
  { path: '/', element: <ChatPage /> },
  // The agent console: every page lazy-loaded, so shoppers never download it.
  ...agentRoutes,
  { path: '*', element: <NotFoundPage /> },
];
