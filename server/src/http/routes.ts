import {
  ok,
  fail,
  compareQuerySchema,
  productSearchSchema,
  type ConfigStatus,
  type ProductSearchReply,
  type Storefront,
  type StorefrontBrand,
} from '@aisle/shared';
import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { hashSessionToken, type AgentAuth } from '../agents/agentAuth';
import type { RateLimits } from '../capacity/rateLimits';
import { compareProducts, ComparisonRefused } from '../chat/comparison';
import type { ConversationRepository } from '../db/conversationRepository';
import type { ProductDetails } from '../db/productDetails';
import type { ProductRepository } from '../db/productRepository';
import type { ModelHealth, ModelsHealth } from '../llm/modelHealth';
import type { CatalogueSearch } from '../search/catalogueSearch';
import { agentTokenFromCookieHeader } from './agentCookie';
import { clientAddressKey } from './clientAddress';
import { isLocalDeveloper, presentFullHealth, presentPublicHealth } from './healthPresenter';
import { shopperSession, sessionHashOf } from './shopperSession';

/** The JSON API under /api. Handlers are thin: validate, call a repository or service, answer. */
export function createApiRouter(deps: {
  products: ProductRepository;
  /** Products with their groups' stock, for comparisons. */
  productDetails: ProductDetails;
  /** The catalogue search the assistant uses too (synonyms, typo tolerance). */
  search: CatalogueSearch;
  conversations: ConversationRepository;
  health: ModelHealth;
  modelsHealth: ModelsHealth;
  /** To tell a signed-in agent (who gets health details) from a shopper. */
  auth: AgentAuth;
  /** The address the server listens on, or null before it does. */
  listeningOn: () => string | null;
  /** Domains whose links answers may show as clickable (`storefront.linkDomains` or the catalogue's). */
  linkDomains: () => Promise<string[]>;
  /** Origins product photos may load from, as the page's Content-Security-Policy allows them now. */
  imageOrigins: () => string[];
  /** The shop's brand for the shopper page (`brand` in the config in force: a reload changes it). */
  brand: () => StorefrontBrand;
  /** Where cards lead (`storefront.trackingParams`, `storefront.cartUrlTemplate` in the config in force). */
  cardLinks: () => Pick<Storefront, 'trackingParams' | 'cartUrlTemplate'>;
  /** The config in force and a refused edit, for the detailed health reply. */
  configStatus: () => ConfigStatus;
  /** `session-create` is charged per address when `GET /api/session` creates a session. */
  rateLimits: RateLimits;
}) {
  const router = Router();

  /** Health details (hosts, upstream errors, commands) are for agents and the developer on this machine. */
  const mayReadDetails = async (req: Request): Promise<boolean> => {
    if (isLocalDeveloper(req, deps.listeningOn())) return true;
    const token = agentTokenFromCookieHeader(req.headers.cookie);
    return token !== null && (await deps.auth.authenticate(hashSessionToken(token), { touch: false })) !== null;
  };
  const tooMany = (_req: Request, res: Response) => {
    res.status(429).json(fail('rate-limited', 'Too many requests; slow down and try again in a minute.'));
  };
  // Per address. Many shoppers can share one address (an office, a mobile carrier's NAT), so the limit
  // is generous; new sessions have their own limit (limits.sessionsPerAddressPerMinute), charged only
  // when a session is created, so a browser that has one is not counted there.
  const apiLimit = rateLimit({
    windowMs: 60_000,
    limit: 1200,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: tooMany,
  });
  // The same address key as the other limits: follows `trust proxy`, IPv6 counts per /56.
  const allowNewSession = (req: Request) => deps.rateLimits.consume(clientAddressKey(req), 'session-create');

  router.get('/health', apiLimit, async (req, res) => {
    const health = await deps.health.check();
    res.setHeader('Cache-Control', 'no-store');
    res.json(ok((await mayReadDetails(req)) ? presentFullHealth(health, deps.configStatus()) : presentPublicHealth(health)));
  });

  /** Every configured host and model, as `pnpm models` reports them; anyone else gets `{ ok }` only. */
  router.get('/health/models', apiLimit, async (req, res) => {
    const report = await deps.modelsHealth.check();
    res.setHeader('Cache-Control', 'no-store');
    res.json(ok((await mayReadDetails(req)) ? report : { ok: report.ok }));
  });

  router.get('/session', apiLimit, shopperSession(deps.conversations, allowNewSession), async (_req, res) => {
    const rows = await deps.conversations.listConversations(sessionHashOf(res));
    res.json(ok({ conversations: rows.map((c) => ({ id: c.id, title: c.title, updatedAt: c.updated_at })) }));
  });

  router.get('/storefront', apiLimit, async (_req, res) => {
    res.json(
      ok({
        linkDomains: await deps.linkDomains(),
        imageOrigins: deps.imageOrigins(),
        brand: deps.brand(),
        ...deps.cardLinks(),
      } satisfies Storefront),
    );
  });

  router.get('/products', apiLimit, async (req, res) => {
    const parsed = productSearchSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      return;
    }
    const { hits, correctedQuery } = await deps.search.search({ ...parsed.data, origin: 'api' });
    const cards = await deps.products.getCards(hits.map((h) => h.row.id));
    res.json(
      ok({
        products: cards,
        count: cards.length,
        ...(correctedQuery === undefined ? {} : { correctedQuery }),
      } satisfies ProductSearchReply),
    );
  });

  /** 2-4 products side by side, from the database; a product that is gone or unknown is refused by name. */
  router.get('/products/compare', apiLimit, async (req, res) => {
    const parsed = compareQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', parsed.error.issues.map((i) => i.message).join('; ')));
      return;
    }
    try {
      res.json(ok(await compareProducts(deps.productDetails, parsed.data.ids)));
    } catch (err) {
      if (!(err instanceof ComparisonRefused)) throw err;
      res.status(err.code === 'not-found' ? 404 : 400).json(fail(err.code, err.message));
    }
  });

  router.get('/products/:id', apiLimit, async (req, res) => {
    const id = String(req.params.id);
    // An old conversation's card still opens after its feed dropped the product (marked `isGone`).
    const [card] = await deps.products.getCards([id], { includeGone: true });
    if (!card) {
      res.status(404).json(fail('not-found', `No product with id ${id}.`));
      return;
    }
    const row = await deps.products.getById(id, { includeGone: true });
    res.json(ok({ ...card, description: row?.description ?? '' }));
  });

  router.use((_req, res) => {
    res.status(404).json(fail('not-found', 'No such API endpoint.'));
  });
  return router;
}
