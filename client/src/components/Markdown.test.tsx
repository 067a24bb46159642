import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown';

const noop = () => {};

function render(text: string, linkDomains: readonly string[] = ['shop.example']): string {
  return renderToStaticMarkup(<Markdown text={text} productIds={[]} onProductLink={noop} linkDomains={linkDomains} />);
}

describe('Markdown', () => {
  it('shows a right-to-left override as nothing, so "gnp.exe" cannot pose as "exe.png"', () => {
    const html = render('Your file: invoice\u202Egnp.exe');
    expect(html).toContain('invoicegnp.exe');
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('links only to the shop: a phishing link shows as its text', () => {
    const html = render(
      '[Claim your refund](https://refunds.example/claim) or see [our returns](https://www.shop.example/returns).',
    );
    expect(html).toContain('<a href="https://www.shop.example/returns"');
    expect(html).not.toContain('refunds.example');
    expect(html).toContain('Claim your refund');
  });
});
