import type { RouteObject } from 'react-router';

/** Shown while a console page's code loads on first visit. */
function LoadingConsole() {
  return (
    <p className="sr-only" role="status">
      Loading the agent console…
    </p>
  );
}

/**
 * The agent console's pages. Every page is loaded on demand, so the shopper's bundle does not carry
 * the console (and chart.js only loads with the dashboard).
 */
export const agentRoutes: RouteObject[] = [
  {
    path: '/agent/login',
    HydrateFallback: LoadingConsole,
    lazy: async () => ({ Component: (await import('./signIn/LoginPage')).LoginPage }),
  },
  {
    path: '/agent',
    HydrateFallback: LoadingConsole,
    lazy: async () => ({ Component: (await import('./shell/AgentLayout')).AgentLayout }),
    children: [
      { index: true, lazy: async () => ({ Component: (await import('./transcripts/TranscriptListPage')).TranscriptListPage }) },
      {
        path: 'transcripts/:id',
        lazy: async () => ({ Component: (await import('./transcript/TranscriptDetailPage')).TranscriptDetailPage }),
      },
      { path: 'dashboard', lazy: async () => ({ Component: (await import('./dashboard/DashboardPage')).DashboardPage }) },
      { path: 'admin', lazy: async () => ({ Component: (await import('./admin/AdminPage')).AdminPage }) },
      { path: '*', lazy: async () => ({ Component: (await import('./shell/AgentNotFound')).AgentNotFound }) },
    ],
  },
];
