interface LogoMarkProps {
  className?: string;
  /** The shop's logo (`brand.logoUrl`); absent: Aisle's own mark. */
  src?: string | undefined;
  /** Alt text of the shop's logo; empty when the text beside it already names the shop. */
  alt?: string;
}

/**
 * The shop's logo, or Aisle's mark (a shopping bag on the accent colour). Aisle's mark is decorative;
 * the text next to it names the app.
 */
export function LogoMark({ className, src, alt = '' }: LogoMarkProps) {
  if (src) return <img className={`${className ?? 'logo-mark'} logo-image`} src={src} alt={alt} />;
  return (
    <svg className={className ?? 'logo-mark'} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect className="logo-bg" width="32" height="32" rx="9" />
      <path className="logo-bag" d="M10 12h12l-1.2 11.2a2 2 0 0 1-2 1.8h-5.6a2 2 0 0 1-2-1.8L10 12Z" />
      <path className="logo-handle" d="M13 12v-1.5a3 3 0 0 1 6 0V12" />
    </svg>
  );
}
