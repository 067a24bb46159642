/**
 * `createApp`: the one place where the server's parts are wired (issue 7). Long because every part is
 * created and connected here, and nowhere else; it holds no logic of its own beyond the wiring.
 */
import type { ConfigStatus } from '@aisle/shared';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fail } from '@aisle/shared';
import express from 'express';
import helmet from 'helmet';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createAgentAuth, type AgentAuth } from './agents/agentAuth';
import { createExperimentReport } from './agents/experimentReport';
import { createHandBackAll } from './agents/handBack';
import type { Clock } from './agents/loginThrottle';
import { createRetention, type Retention } from './agents/retention';
import { createTranscriptService, type TranscriptService } from './agents/transcriptService';
import { createMemoryAdmissionQueue, type AdmissionQueue } from './capacity/admissionQueue';
import { admissionLimitsFrom, rateLimitsFrom } from './capacity/capacityConfig';
import { createRateLimits } from './capacity/rateLimits';
import { createConstraintRefiner } from './chat/answerConstraints';
import { createChatService, type ChatService } from './chat/chatService';
import { INTERRUPTED_MESSAGE } from './chat/interruptedAnswers';
import { startCluster, type Cluster } from './cluster/cluster';
import { createToolRunner } from './assistant/tools';
import { shopPolicies } from './assistant/policies';
import { buildSystemPrompt } from './assistant/systemPrompt';
import { loadDemoCatalogueIfEmpty } from './catalogue/demoCatalogue';
import { createCatalogueSync } from './catalogue/sync/catalogueSync';
import { catalogueStatus } from './catalogue/sync/catalogueStatus';
import { createFeedScheduler, type FeedScheduler, type SchedulerTimers } from './catalogue/sync/feedScheduler';
import { createLinkDomains } from './catalogue/linkDomains';
import type { LoadedConfig } from './config/loadConfig';
import { createAgentRepository, type AgentRepository } from './db/agentRepository';
import { createCatalogueSourceRepository } from './db/catalogueSourceRepository';
import { createConversationRepository } from './db/conversationRepository';
import { createShopperHistoryRepository } from './db/shopperHistory';
import { createShopperHistory } from './chat/shopperHistory';
import { createHistoryRouter } from './http/historyRoutes';
import { createPageContextRepository } from './db/pageContextRepository';
import { createPageContextService } from './chat/pageContext';
import { createCardClickService } from './chat/cardClicks';
import { createCardClickRepository } from './db/cardClickRepository';
import { databaseLocation, openDatabase, type Database } from './db/database';
import { createExperimentRepository } from './db/experimentRepository';
import { createProductDetails } from './db/productDetails';
import { createProductRepository, type ProductRepository } from './db/productRepository';
import { createCatalogueSearch, type CatalogueSearch } from './search/catalogueSearch';
import { createTranscriptRepository } from './db/transcriptRepository';
import { createVectorRepository } from './db/vectorRepository';
import { createAgentRouter } from './http/agent/agentRouter';
import { metricsRoute } from './http/metricsRoute';
import { errorMiddleware } from './http/errorMiddleware';
import { allowedOriginsOf, isAllowedHost, refuseForeignHost } from './http/hostCheck';
import { imageOriginsOf } from './http/imageOrigins';
import { isAllowedOrigin } from './http/origin';
import { createApiRouter } from './http/routes';
import { frameAncestorsFor, frameOptions } from './http/framing';
import { hashToken, tokenFromCookieHeader, validToken } from './http/shopperSession';
import { createWidgetRouter } from './http/widgetRoutes';
import { createBackend, createHostPool } from './llm/hostPool';
import { createModelHealth, createModelsHealth } from './llm/modelHealth';
import type { EmbedRequest } from './llm/types';
import { createLogger, type Logger } from './logger';
import { createMetrics, type AppMetrics } from './observability/metrics';
import { startTracing, type Tracing } from './observability/tracing';
import { createEmbeddingIndex, type EmbeddingIndex } from './search/embeddingIndex';
import { createSemanticSearch, type SemanticSearch } from './search/semanticSearch';
import { createAgentNamespace } from './sockets/agent.handlers';
import { startAgentLiveFeed } from './sockets/agentLiveFeed';
import {
  conversationRoom,
  isDeveloperSocket,
  registerChatHandlers,
  shopperAddress,
  shopperBroadcast,
  type ShopperServer,
  type TrustProxy,
} from './sockets/chat.handlers';

/** Socket payloads above this are refused by Socket.IO before any handler runs. */
export const MAX_SOCKET_PAYLOAD_BYTES = 64 * 1024;

export interface AppDeps {
  /** The config in force; a function so a later hot reload swaps it without rewiring. */
  config: () => LoadedConfig;
  logger?: Logger;
  /** Built client to serve, or null to serve the API only. Defaults to client/dist when it exists. */
  clientDist?: string | null;
  /** Tells the time for agent login locks and session expiry; default `Date`. Tests move it on instead of waiting. */
  clock?: Clock;
  /** Random numbers in [0, 1) for the experiment split; defaults to `Math.random` (tests seed it). */
  random?: () => number;
  /** The config store's status (version in force, last refused edit); default: the version at start. */
  configStatus?: () => ConfigStatus;
  /**
   * Subscribes to config changes (the config store's `onChange`), so a raised `maxParallel` admits
   * waiting answers at once rather than at the next release. Returns the unsubscribe function.
   */
  onConfigChange?: (listener: () => void) => () => void;
  /** Timers for the catalogue feed scheduler; default the real ones. Tests move them on by hand. */
  catalogueTimers?: SchedulerTimers;
}

export interface App {
  httpServer: http.Server;
  io: ShopperServer;
  db: Database;
  products: ProductRepository;
  chat: ChatService;
  /** The fair line in front of the model hosts (`stats()` for metrics). */
  admission: AdmissionQueue;
  /** Prometheus metrics (served at /metrics when `metrics.enabled`). */
  metrics: AppMetrics;
  /** The agent console's services, for tools and tests that act as the CLI does. */
  agentConsole: AgentConsoleServices;
  /** Search: the background vector index, query embedding, and the one catalogue search (words + meaning). */
  search: { index: EmbeddingIndex; semantic: SemanticSearch; catalogue: CatalogueSearch };
  /** Catalogue feeds: the scheduler (`syncNow(name)` runs one at once). */
  catalogue: FeedScheduler;
  logger: Logger;
  /** Starts listening; resolves with the bound URL (port 0 picks a free port). */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops answers (committing their partial text), closes sockets, the server and the database. */
  close(): Promise<void>;
}

/** The agent console's services as `App` exposes them. */
export interface AgentConsoleServices {
  auth: AgentAuth;
  agents: AgentRepository;
  transcripts: TranscriptService;
  /** Retention: deletes conversations with no activity for `days` days. */
  purgeOlderThan: Retention['purgeOlderThan'];
}

const defaultClientDist = path.resolve(import.meta.dirname, '../../client/dist');

/** The one place where the server's parts are wired together. */
export async function createApp(deps: AppDeps): Promise<App> {
  const initial = deps.config();
  const logger = deps.logger ?? createLogger(initial.config.log.level);
  // Before anything makes a span; only a configured endpoint loads the OpenTelemetry SDK.
  const tracing: Tracing | null = initial.config.tracing.otlpEndpoint
    ? await startTracing({ endpoint: initial.config.tracing.otlpEndpoint, logger })
    : null;
  // Read at scrape time, long after the queue below exists.
  const metrics = createMetrics({ queueStats: () => admission.stats() });
  const db = await openDatabase(databaseLocation(initial));
  const products = createProductRepository(db);
  const productDetails = createProductDetails(db);
  const conversations = createConversationRepository(db);

  // Several nodes (redis.url): the others' answers are alive; a dead node's are found by the sweep.
  const cluster: Cluster | null = initial.config.redis.url
    ? await startCluster(
        { ...initial.config.redis, url: initial.config.redis.url },
        {
          ...admissionLimitsFrom(deps.config),
          onCallbackError: (err) => logger.error({ err }, 'a queued answer could not be told its place'),
        },
        logger,
      )
    : null;
  // Answers left `streaming` by a crash. With several nodes, those the nodes listed in Redis run (or ran:
  // the sweep marks a dead node's and tells its shoppers) are not this start's business.
  const interrupted = await conversations.failInterruptedAnswers(
    INTERRUPTED_MESSAGE,
    cluster ? { except: await cluster.live.listedAnswerIds() } : {},
  );
  if (interrupted > 0) logger.warn({ count: interrupted }, 'marked answers interrupted by a restart as failed');
  const catalogueSources = createCatalogueSourceRepository(db);
  if (initial.config.catalogue.loadDemoWhenEmpty) {
    const demo = await loadDemoCatalogueIfEmpty(products, catalogueSources);
    if (demo.loaded) logger.info({ summary: demo.summary }, 'loaded the demo catalogue');
  }
  const catalogueSync = createCatalogueSync({
    sources: catalogueSources,
    dataDir: initial.dataDir,
    defaults: () => ({ currency: deps.config().config.catalogue.currency, shopUrl: deps.config().config.catalogue.shopUrl }),
    logger: logger.child({ area: 'catalogue' }),
  });
  // Reads the feed list in force at every tick: a hot-reloaded list reschedules (below).
  const feedScheduler = createFeedScheduler({
    feeds: () => deps.config().config.catalogue.feeds,
    run: (feed, signal) => catalogueSync.sync(feed, { signal }),
    logger: logger.child({ area: 'catalogue' }),
    ...(deps.catalogueTimers ? { timers: deps.catalogueTimers } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });

  // Hosts are read from the config on every call: a hot-reloaded host list applies to the next answer.
  const hosts = createHostPool({ config: deps.config, logger });
  const admission: AdmissionQueue =
    cluster?.admission ??
    createMemoryAdmissionQueue({
      ...admissionLimitsFrom(deps.config),
      onCallbackError: (err) => logger.error({ err }, 'a queued answer could not be told its place'),
    });
  const stopRefreshing =
    deps.onConfigChange?.(() => {
      admission.refresh();
      feedScheduler.reschedule();
    }) ?? (() => undefined);
  const rateLimits = createRateLimits({
    limits: rateLimitsFrom(deps.config),
    ...(cluster ? { createLimiter: cluster.createLimiter } : {}),
  });
  const currentGateway = () => hosts.pick(deps.config().config.chat.model).backend;
  const health = createModelHealth({
    gateway: currentGateway,
    model: () => deps.config().config.chat.model,
    productCount: () => products.count(),
  });
  // Semantic search: vectors kept current in the background, query vectors from the same hosts.
  const vectors = createVectorRepository(db);
  const embed = (req: EmbedRequest) => hosts.route(req.model).embed(req);
  const embeddingIndex = createEmbeddingIndex({ vectors, embed, settings: () => deps.config().config.embedding, logger });
  const semantic = createSemanticSearch({
    index: embeddingIndex,
    vectors,
    embed,
    instruction: () => deps.config().config.embedding.queryInstruction,
    logger,
  });
  // One search for the pre-answer search, the model's tool and GET /api/products: words (stemming,
  // synonyms, typos) fused with meaning when an embedding model is configured and its index is ready.
  const catalogueSearch = createCatalogueSearch({ products, config: deps.config, semantic: semantic.search });
  const modelsReport = createModelsHealth({ config: deps.config, backendOf: (h) => hosts.backendOf(h.name) ?? createBackend(h) });
  // Agents' health details (GET /api/health/models) also say how semantic search is doing.
  const modelsHealth: typeof modelsReport = {
    check: async (options) => ({
      ...(await modelsReport.check(options)),
      semanticSearch: { ...embeddingIndex.status(), queries: semantic.counters() },
    }),
  };

  const transcriptRows = createTranscriptRepository(db);
  const agents = createAgentRepository(db);
  const auth = createAgentAuth({
    agents,
    options: { loginWindowSeconds: initial.config.agents.loginWindowSeconds },
    clock: deps.clock,
  });
  const transcripts = createTranscriptService(transcriptRows);
  const retention = createRetention({ transcripts: transcriptRows, logger });
  const startedAt = new Date().toISOString();
  const configStatus = deps.configStatus ?? (() => ({ version: deps.config().version, appliedAt: startedAt }));

  const app = express();
  const httpServer = http.createServer(app);
  const io: ShopperServer = new Server(httpServer, {
    maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
    // perMessageDeflate costs several times more memory per socket; deltas are small anyway.
    perMessageDeflate: false,
    serveClient: false,
    // Several nodes: every broadcast (deltas, agent feeds, presence) reaches the sockets of all of them.
    ...(cluster
      ? {
          adapter: createAdapter(cluster.redis, {
            ...cluster.adapterNames,
            heartbeatInterval: initial.config.redis.heartbeatMs,
            heartbeatTimeout: initial.config.redis.nodeTimeoutMs,
            blockTimeInMs: 1000,
          }),
        }
      : {}),
    // WebSocket is not subject to CORS: check the Origin of every handshake ourselves.
    allowRequest: (req, callback) => {
      const { server } = deps.config().config;
      callback(
        null,
        isAllowedHost(req.headers.host, server) &&
          isAllowedOrigin(req.headers.origin, req.headers.host, allowedOriginsOf(server)),
      );
    },
  });

  // Express compiles `trust proxy` once; sockets derive the client's address with the same rule.
  app.set('trust proxy', initial.config.server.trustProxy);
  const trustFn: unknown = app.get('trust proxy fn');
  const trust: TrustProxy = typeof trustFn === 'function' ? (addr, i) => trustFn(addr, i) === true : () => false;

  io.use((socket, next) => {
    socket.data.isLocalDeveloper = isDeveloperSocket(io, socket);
    socket.data.address = shopperAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], trust);
    // The embedded widget sends its session token in the handshake (no third-party cookies in a shop's
    // page); a token given is used alone, as over HTTP (`shopperSession`).
    const auth: unknown = socket.handshake.auth;
    const given = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
    const token = given === undefined ? tokenFromCookieHeader(socket.handshake.headers.cookie) : validToken(given);
    if (!token) return next(new Error('no-session'));
    const hash = hashToken(token);
    conversations.touchSession(hash).then(
      (exists) => {
        if (!exists) return next(new Error('no-session'));
        socket.data.sessionHash = hash;
        next();
      },
      (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
    );
  });

  const tools = createToolRunner(
    products,
    catalogueSearch,
    (query, filters, count, origin, durationMs) => {
      metrics.searchPerformed({ origin, durationMs });
      void conversations
        .logSearch({
          conversationId: null,
          source: origin === 'prefetch' ? 'prefetch' : 'tool',
          query,
          filters,
          resultCount: count,
        })
        .catch(() => undefined);
    },
    () => shopPolicies(deps.config()),
  );
  const pageContext = createPageContextService({
    contexts: createPageContextRepository(db),
    conversations,
    tools,
    allowedOrigins: () => deps.config().config.widget.allowedOrigins,
  });
  const chat = createChatService({
    conversations,
    products,
    details: productDetails,
    tools,
    route: (model) => hosts.route(model),
    hostFor: (model) => hosts.pick(model).hostName,
    admission,
    rateLimits,
    config: deps.config,
    // Built per answer from the config in force (brand, policies, shop instructions): an edit applies to the next answer.
    systemPrompt: (shopperLocale) => {
      const { config, systemPrompt } = deps.config();
      return buildSystemPrompt({
        brandName: config.brand.name,
        policyTopics: Object.keys(shopPolicies(deps.config())),
        shopInstructions: config.chat.shopInstructions,
        instructionsFile: systemPrompt ?? null,
        shopperLocale,
      });
    },
    broadcast: shopperBroadcast(io),
    logger,
    random: deps.random,
    pageContext: pageContext.forAnswer,
    ...(cluster
      ? {
          share: cluster.live,
          // Any node's sockets count: a shopper moved to another node keeps the answer going.
          hasWatchers: async (conversationId: string) =>
            (await io.in(conversationRoom(conversationId)).fetchSockets()).length > 0,
        }
      : {}),
  });
  await cluster?.start({ stopHere: chat.stopHere, failInterrupted: (answers) => chat.failInterrupted(answers) });

  chat.observe(metrics.chatObserver);

  const cardClicks = createCardClickService({ clicks: createCardClickRepository(db), conversations, rateLimits });
  const refiner = createConstraintRefiner({
    conversations,
    products,
    catalogue: catalogueSearch,
    rateLimits,
    broadcast: shopperBroadcast(io),
    maxCards: () => deps.config().config.chat.maxCards,
    logger,
  });
  io.on('connection', (socket) => registerChatHandlers(io, socket, chat, logger, pageContext, cardClicks, refiner));
  const agentNsp = createAgentNamespace(io, { auth, chat, transcripts, logger });
  const liveFeed = startAgentLiveFeed({ nsp: agentNsp, chat, auth, transcripts, transcriptRows, logger });

  const imageOrigins = () => imageOriginsOf(deps.config().config.server.imageOrigins);
  // Routes are added once every part they reach exists; the server does not listen before createApp returns.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          // Per request, so an edited server.imageOrigins applies to the next page load without a restart.
          imgSrc: ["'self'", 'data:', () => imageOrigins().join(' ')],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          // Per request: only the widget's panel may be framed, by the shops configured now.
          frameAncestors: [(req) => frameAncestorsFor(req.url ?? '/', deps.config().config.widget.allowedOrigins)],
        },
      },
      xFrameOptions: false,
    }),
  );
  app.use(frameOptions());
  // Before every route, the page included: a foreign Host is a DNS-rebinding page posing as same-origin.
  app.use(refuseForeignHost(() => deps.config().config.server));
  app.use(express.json({ limit: '64kb' }));
  // Before /api: that router answers every unknown path under it with 404.
  app.use(
    '/api/agent',
    createAgentRouter({
      auth,
      agents,
      transcripts,
      transcriptRows,
      allowedOrigins: () => allowedOriginsOf(deps.config().config.server),
      endSockets: liveFeed.endSockets,
      handBackAll: createHandBackAll({ transcripts: transcriptRows, chat }),
      experiments: createExperimentReport({ experiments: createExperimentRepository(db), config: deps.config }),
      rowChanged: liveFeed.rowChanged,
      configStatus,
      catalogue: {
        status: () =>
          catalogueStatus(catalogueSources, {
            configured: deps.config().config.catalogue.feeds.map((f) => f.name),
            running: feedScheduler.runningNames(),
          }),
        syncNow: (name) => {
          const outcome = feedScheduler.syncNow(name);
          return outcome.kind;
        },
      },
      logger,
    }),
  );
  app.use(
    createWidgetRouter({
      conversations,
      rateLimits,
      widget: () => deps.config().config.widget,
      allowedOrigins: () => allowedOriginsOf(deps.config().config.server),
    }),
  );
  // Before /api: that router answers every unknown path under it with 404.
  app.use(
    createHistoryRouter({
      history: createShopperHistory({
        history: createShopperHistoryRepository(db),
        conversations,
        isGenerating: chat.isGenerating,
      }),
      conversations,
      rateLimits,
      allowedOrigins: () => allowedOriginsOf(deps.config().config.server),
    }),
  );
  const listeningOn = () => {
    const address = httpServer.address();
    return typeof address === 'object' && address ? address.address : null;
  };
  const linkDomains = createLinkDomains({ products, configured: () => deps.config().config.storefront.linkDomains });
  app.use(
    '/api',
    createApiRouter({
      products,
      productDetails,
      search: catalogueSearch,
      conversations,
      health,
      modelsHealth,
      auth,
      listeningOn,
      linkDomains: linkDomains.current,
      imageOrigins,
      brand: () => deps.config().config.brand,
      cardLinks: () => {
        const { trackingParams, cartUrlTemplate } = deps.config().config.storefront;
        return { trackingParams, cartUrlTemplate };
      },
      configStatus,
      rateLimits,
    }),
  );
  app.get(
    '/metrics',
    metricsRoute({
      access: () => deps.config().config.metrics,
      render: metrics.render,
      contentType: metrics.contentType,
      logger,
    }),
  );

  // brand.logoUrl "/brand/<file>": the shop's own logo, kept beside its data rather than in the build.
  app.use('/brand', express.static(path.join(initial.dataDir, 'brand'), { index: false, dotfiles: 'deny', maxAge: '1h' }));

  const clientDist = deps.clientDist === undefined ? defaultClientDist : deps.clientDist;
  if (clientDist && fs.existsSync(path.join(clientDist, 'index.html'))) {
    app.use(express.static(clientDist, { index: false, maxAge: '1h' }));
    // Client-side routes (/, /agent, /agent/transcripts/…) get the app shell. A path ending in a file
    // name (/x.json, /favicon.ico) that static did not find is a 404: the page with a 200 fools probes.
    app.get(/^\/(?!api(?:\/|$)|socket\.io\/|metrics$)(?:[^/]*\/)*[^/.]*$/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(clientDist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('Aisle API is running. Build the client with "pnpm build" to get the chat page.');
    });
  }
  // Everything else: a JSON 404, not Express's HTML page.
  app.use((_req, res) => {
    res.status(404).json(fail('not-found', 'No such page.'));
  });
  app.use(errorMiddleware(logger));

  // Read per run: a hot-reloaded privacy.retentionDays applies at the next hourly purge.
  retention.start(() => deps.config().config.privacy.retentionDays);
  // In the background: the shop answers (lexically) while the catalogue is being embedded.
  embeddingIndex.start();
  feedScheduler.start();

  return {
    httpServer,
    io,
    db,
    products,
    chat,
    admission,
    metrics,
    agentConsole: { auth, agents, transcripts, purgeOlderThan: retention.purgeOlderThan },
    search: { index: embeddingIndex, semantic, catalogue: catalogueSearch },
    catalogue: feedScheduler,
    logger,
    listen(port = initial.config.server.port, host = initial.config.server.host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address();
          const bound = typeof address === 'object' && address ? address.port : port;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
        });
      });
    },
    async close() {
      stopRefreshing();
      liveFeed.close();
      retention.stop();
      await feedScheduler.close();
      hosts.close();
      await embeddingIndex.stop();
      await chat.shutdown();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await cluster?.close();
      await db.close();
      await tracing?.shutdown();
    },
  };
}
