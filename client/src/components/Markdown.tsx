import { createContext, memo, use, useMemo, useState, type MouseEvent, type ReactNode } from 'react';
import { neutraliseBidi } from '@aisle/shared';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { classifyLink, markdownUrlTransform } from '../lib/linkPolicy';
import { createBlockSplitter } from '../lib/markdownBlocks';
import { useLinkDomains } from '../lib/storefront';

const remarkPlugins = [remarkGfm];
// Model text may not show images (tracking pixels, made-up product photos).
const disallowedElements = ['img'];
/**
 * The products a `product:ID` link may reach, read by each link rather than passed to the blocks:
 * when an answer's cards arrive only its links re-render, not every block's Markdown parse.
 */
const ProductIdsContext = createContext<ReadonlySet<string>>(new Set());

interface MarkdownProps {
  /** The answer so far; it may grow on every frame while streaming. */
  text: string;
  /** Ids of the product cards of this message: the only products a `product:ID` link may reach. */
  productIds: readonly string[];
  /** Called when the shopper follows a `product:ID` link. Keep it stable (useCallback). */
  onProductLink: (productId: string) => void;
  /** The shop's domains, whose links may be live; default the storefront's (`GET /api/storefront`). */
  linkDomains?: readonly string[];
}

/**
 * Renders an answer's Markdown safely (no raw HTML, no images, only links to the shop's own domains,
 * no bidirectional overrides) and cheaply while it streams: the text is split into top-level blocks
 * and only blocks whose text changed re-render, which in practice is the last one.
 */
export function Markdown({ text, productIds, onProductLink, linkDomains }: MarkdownProps) {
  const [split] = useState(createBlockSplitter);
  const storefrontDomains = useLinkDomains();
  // Model text can carry U+202E and friends from product data: "invoice\u202Egnp.exe" would read "exe.png".
  const { blocks } = split(neutraliseBidi(text));
  const productKey = productIds.join('\n');
  const productSet = useMemo(() => new Set(productKey === '' ? [] : productKey.split('\n')), [productKey]);
  const domainKey = (linkDomains ?? storefrontDomains).join('\n');
  return (
    <ProductIdsContext value={productSet}>
      <div className="markdown">
        {blocks.map((block, index) => (
          // Index keys keep each block's component as the text grows; memo skips unchanged blocks.
          <MarkdownBlock key={index} source={block} domainKey={domainKey} onProductLink={onProductLink} />
        ))}
      </div>
    </ProductIdsContext>
  );
}

interface MarkdownBlockProps {
  source: string;
  /** The shop's link domains joined by newlines: a string, so memo compares it by value. */
  domainKey: string;
  onProductLink: (productId: string) => void;
}

const MarkdownBlock = memo(function MarkdownBlock({ source, domainKey, onProductLink }: MarkdownBlockProps) {
  const components = useMemo<Components>(() => {
    const shopDomains = domainKey === '' ? [] : domainKey.split('\n');
    return {
      a: ({ href, children }) => (
        <MarkdownLink href={href} shopDomains={shopDomains} onProductLink={onProductLink}>
          {children}
        </MarkdownLink>
      ),
      table: ({ children }) => (
        <div className="markdown-table">
          <table>{children}</table>
        </div>
      ),
    };
  }, [domainKey, onProductLink]);

  return (
    <ReactMarkdown
      remarkPlugins={remarkPlugins}
      skipHtml
      disallowedElements={disallowedElements}
      urlTransform={markdownUrlTransform}
      components={components}
    >
      {source}
    </ReactMarkdown>
  );
});

interface MarkdownLinkProps {
  href: string | undefined;
  shopDomains: readonly string[];
  onProductLink: (productId: string) => void;
  children?: ReactNode;
}

function MarkdownLink({ href, shopDomains, onProductLink, children }: MarkdownLinkProps) {
  const productIds = use(ProductIdsContext);
  const decision = classifyLink(href, productIds, shopDomains);
  if (decision.kind === 'external') {
    return (
      <a href={decision.href} target="_blank" rel="noopener noreferrer">
        {children}
        <span className="sr-only"> (opens in a new tab)</span>
      </a>
    );
  }
  if (decision.kind === 'product') {
    const { productId } = decision;
    const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
      event.preventDefault();
      onProductLink(productId);
    };
    return (
      <a href={`#product-${productId}`} className="product-link" onClick={handleClick}>
        {children}
      </a>
    );
  }
  // Any other link is its text alone, with no address behind it to click or open.
  return <span>{children}</span>;
}
