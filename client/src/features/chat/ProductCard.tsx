import {
  formatMoney,
  neutraliseBidi,
  type Availability,
  type CardChange,
  type ProductCard as ProductCardData,
} from '@aisle/shared';
import type { i18n as I18n } from 'i18next';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { i18n as uiI18n, uiFormatLocale } from '../../i18n/i18n';
import { formatLocale, matchLocale } from '../../i18n/locale';
import { useCardLinkSettings, useImageOrigins, useLinkDomains } from '../../lib/storefront';
import { useCardAction } from './cardAction';
import { cartHref, viewProductHref } from './cardLinks';
import { CompareToggle } from './compare/CompareToggle';

const AVAILABILITY_LABELS = {
  in_stock: 'card.inStock',
  out_of_stock: 'card.outOfStock',
  preorder: 'card.preorder',
  backorder: 'card.backorder',
} as const satisfies Record<Availability, string>;

/** What a reopened conversation's card says instead of the plain availability when stock moved. */
const STOCK_CHANGE_LABELS = {
  'now-out-of-stock': 'card.nowOutOfStock',
  'back-in-stock': 'card.backInStock',
  'no-longer-available': 'card.noLongerAvailable',
} as const satisfies Record<NonNullable<CardChange['stock']>, string>;

/** Width and height of a card photo's frame (4:3, as `.product-media` draws it), so nothing jumps as it loads. */
const IMAGE_WIDTH = 400;
const IMAGE_HEIGHT = 300;

/** The `Intl` locale of an i18next instance's language (`en-US` for English, `de-DE` for German…). */
function numberLocaleOf(i18n: I18n): string {
  const locale = matchLocale(i18n.language);
  return locale === null ? uiFormatLocale : formatLocale(locale);
}

/** A rating as shown: one decimal at most, in the page's number format ("4.5", "4,5"). */
function formatRating(rating: number, locale: string): string {
  return rating.toLocaleString(locale, { maximumFractionDigits: 1 });
}

/** "Rated 4.5 out of 5, 128 reviews", the accessible name of the star rating, in the page's language. */
export function ratingLabel(rating: number, reviewCount: number, i18n: I18n = uiI18n): string {
  const locale = numberLocaleOf(i18n);
  const reviews = i18n.t('card.reviews', { count: reviewCount, formatted: reviewCount.toLocaleString(locale) });
  return i18n.t('card.rated', { rating: formatRating(rating, locale), reviews });
}

interface ProductCardProps {
  product: ProductCardData;
  isHighlighted: boolean;
  /** The shop's domains, whose links may be live; default the storefront's (`GET /api/storefront`). */
  linkDomains?: readonly string[];
  /** Origins photos may load from besides the page's; default the storefront's (`GET /api/storefront`). */
  imageOrigins?: readonly string[];
  /** Called when the shopper follows "View product" or "Add to cart" (recorded for the dashboard). */
  onFollow?: (kind: 'view' | 'cart') => void;
}

/**
 * One product recommended in an answer. Built only from server data (`message.products`), never
 * from model text. The element id `product-<id>` is what `product:ID` links in the answer reach.
 */
export function ProductCard({ product: stored, isHighlighted, linkDomains, imageOrigins, onFollow }: ProductCardProps) {
  const headingId = useId();
  const { t } = useTranslation();
  const storefrontDomains = useLinkDomains();
  const storefrontImageOrigins = useImageOrigins();
  // Catalogue text may carry bidi overrides (a feed imported before they were stripped, or edited since).
  const product = displayedCard(stored);
  const isOnSale = product.salePrice !== null && product.salePrice.amountMinor < product.price.amountMinor;
  const { trackingParams, cartUrlTemplate } = useCardLinkSettings();
  const domains = linkDomains ?? storefrontDomains;
  const viewHref = viewProductHref(product.link, trackingParams, domains);
  const { change } = product;
  // A product gone from the catalogue keeps the card as it was, but offers nothing to follow.
  const isGone = change?.stock === 'no-longer-available';
  const action = useCardAction(stored, () => onFollow?.('cart'));
  // The widget's own action (the host page's cart) replaces the template link; a standalone page without
  // a template shows no cart button.
  const cart = action === null ? cartHref(cartUrlTemplate, product, domains) : null;

  return (
    <article
      id={`product-${product.id}`}
      data-product-id={product.id}
      className={`product-card${isHighlighted ? ' is-highlighted' : ''}${isGone ? ' is-gone' : ''}`}
      aria-labelledby={headingId}
      tabIndex={-1}
    >
      <ProductImage product={product} imageOrigins={imageOrigins ?? storefrontImageOrigins} />
      <div className="product-body">
        {product.brand !== null && <p className="product-brand">{product.brand}</p>}
        <h3 id={headingId} className="product-title">
          {product.title}
        </h3>
        <p className={isOnSale ? 'product-price is-sale' : 'product-price'}>
          {isOnSale && product.salePrice !== null ? (
            <>
              <span className="price-now">
                <span className="sr-only">{t('card.salePrice')}</span>
                {formatMoney(product.salePrice, uiFormatLocale)}
              </span>{' '}
              <s className="price-was">
                <span className="sr-only">{t('card.was')}</span>
                {formatMoney(product.price, uiFormatLocale)}
              </s>
            </>
          ) : (
            <span className="price-now">{formatMoney(product.price, uiFormatLocale)}</span>
          )}
        </p>
        {change?.priceWas !== undefined && (
          <p className="product-change">{t('card.priceChanged', { price: formatMoney(change.priceWas, uiFormatLocale) })}</p>
        )}
        {change?.stock !== undefined ? (
          <p className={`product-availability availability-${isGone ? 'gone' : product.availability} is-changed`}>
            {t(STOCK_CHANGE_LABELS[change.stock])}
          </p>
        ) : (
          <p className={`product-availability availability-${product.availability}`}>
            {t(AVAILABILITY_LABELS[product.availability])}
          </p>
        )}
        <Rating rating={product.rating} reviewCount={product.reviewCount} />
        {product.sizes.length > 0 && <Options label={t('card.sizes')} values={product.sizes} />}
        {product.colors.length > 0 && <Options label={t('card.colours')} values={product.colors} />}
        {viewHref !== null && !isGone && (
          <a
            className="product-view"
            href={viewHref}
            target="_blank"
            rel="noopener noreferrer"
            onClick={() => onFollow?.('view')}
          >
            {t('card.viewProduct')}
            <span className="sr-only">{t('card.opensNewTab', { title: product.title })}</span>
          </a>
        )}
        {cart !== null && !isGone && (
          <a
            className="button-secondary add-to-cart"
            href={cart}
            target="_blank"
            rel="noopener noreferrer"
            onClick={() => onFollow?.('cart')}
          >
            {t('card.addToCart')}
            <span className="sr-only">{t('card.opensCart', { title: product.title })}</span>
          </a>
        )}
        {action}
        {!isGone && <CompareToggle productId={product.id} title={product.title} />}
      </div>
    </article>
  );
}

/** The card's words as shown: without bidirectional overrides or invisible format characters. */
export function displayedCard(product: ProductCardData): ProductCardData {
  return {
    ...product,
    title: neutraliseBidi(product.title),
    brand: product.brand === null ? null : neutraliseBidi(product.brand),
    category: product.category === null ? null : neutraliseBidi(product.category),
    sizes: product.sizes.map(neutraliseBidi),
    colors: product.colors.map(neutraliseBidi),
  };
}

/**
 * Whether the page may load this image: the CSP allows same-origin and data: images and the origins
 * in `imageOrigins` (`server.imageOrigins`), compared exactly (scheme, host and port). Anything else
 * would only be blocked (and log an error), so the placeholder is shown instead and no request is made.
 */
export function isLoadableImage(url: string, pageOrigin: string, imageOrigins: readonly string[] = []): boolean {
  if (/^data:image\/(png|jpe?g|gif|webp|avif);/i.test(url)) return true;
  let parsed: URL;
  try {
    parsed = new URL(url, pageOrigin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  // "https://cdn.shop.example@evil.example/" names one host and loads from another.
  if (parsed.username !== '' || parsed.password !== '') return false;
  return parsed.origin === pageOrigin || imageOrigins.includes(parsed.origin);
}

function ProductImage({ product, imageOrigins }: { product: ProductCardData; imageOrigins: readonly string[] }) {
  const [brokenUrl, setBrokenUrl] = useState<string | null>(null);
  const url = product.imageUrl;
  if (url === null || url === brokenUrl || !isLoadableImage(url, window.location.origin, imageOrigins))
    return <ProductPlaceholder category={product.category} title={product.title} />;
  return (
    <div className="product-media">
      {/*
       * alt="": the card's heading already names the product and gives the card its accessible name, so
       * alt text repeating the title would be read twice (WAI images tutorial: an image whose text
       * alternative is already in adjacent text is decorative).
       */}
      <img
        src={url}
        alt=""
        width={IMAGE_WIDTH}
        height={IMAGE_HEIGHT}
        loading="lazy"
        decoding="async"
        onError={() => setBrokenUrl(url)}
      />
    </div>
  );
}

const PLACEHOLDER_TONES = 6;

function toneOf(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % PLACEHOLDER_TONES;
}

/** A drawn stand-in for a product without a usable photo: the category's initial on a soft tone. */
export function ProductPlaceholder({ category, title }: { category: string | null; title: string }) {
  const label = (category ?? title).trim();
  const initial = (label[0] ?? '?').toUpperCase();
  return (
    <div className={`product-media product-placeholder tone-${toneOf(label)}`}>
      <svg viewBox="0 0 120 90" aria-hidden="true" focusable="false">
        <rect className="placeholder-bg" width="120" height="90" rx="0" />
        <path className="placeholder-bag" d="M44 36h32l-3 30a4 4 0 0 1-4 3.6H51a4 4 0 0 1-4-3.6L44 36Z" />
        <path className="placeholder-handle" d="M52 36v-4a8 8 0 0 1 16 0v4" />
        <text className="placeholder-initial" x="60" y="60" textAnchor="middle">
          {initial}
        </text>
      </svg>
      {category !== null && <span className="placeholder-category">{category}</span>}
    </div>
  );
}

function Rating({ rating, reviewCount }: { rating: number | null; reviewCount: number }) {
  const { t, i18n } = useTranslation();
  if (rating === null || reviewCount === 0) return <p className="product-rating no-rating">{t('card.noReviews')}</p>;
  const halves = Math.round(rating * 2);
  return (
    <p className="product-rating" role="img" aria-label={ratingLabel(rating, reviewCount, i18n)}>
      <span className="stars" aria-hidden="true">
        {[0, 1, 2, 3, 4].map((star) => {
          const fill = halves >= (star + 1) * 2 ? 'full' : halves === star * 2 + 1 ? 'half' : 'empty';
          return <Star key={star} fill={fill} />;
        })}
      </span>
      <span className="rating-text" aria-hidden="true">
        {formatRating(rating, uiFormatLocale)} ({reviewCount.toLocaleString(uiFormatLocale)})
      </span>
    </p>
  );
}

const STAR_PATH = 'M10 1.5l2.6 5.5 6 .7-4.5 4.1 1.2 5.9L10 14.8l-5.3 2.9 1.2-5.9L1.4 7.7l6-.7L10 1.5z';

function Star({ fill }: { fill: 'full' | 'half' | 'empty' }) {
  return (
    <svg className={`star star-${fill}`} viewBox="0 0 20 20" focusable="false">
      <path className="star-back" d={STAR_PATH} />
      {fill !== 'empty' && <path className="star-front" d={STAR_PATH} />}
    </svg>
  );
}

function Options({ label, values }: { label: string; values: readonly string[] }) {
  const { t } = useTranslation();
  const shown = values.slice(0, 8);
  const more = values.length - shown.length;
  return (
    <div className="product-options">
      <span className="options-label">{label}:</span>{' '}
      <span className="options-values">
        {shown.join(', ')}
        {more > 0 && t('card.more', { count: more })}
      </span>
    </div>
  );
}
