"use client";
import Link, { useLinkStatus } from "next/link";
import { usePathname } from "next/navigation";

/** True when `pathname` is the page of `href` or one of its sub-pages ("/" only for itself). */
export function isCurrent(href: string, pathname: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * While the page a link opens is loading: a spinner beside it and a bar along the top (the console's
 * loading state; a route-level loading.tsx would stream every page with HTTP 200 before its data
 * is read, so an unknown id could not answer 404, nor a forbidden page 403).
 */
function Pending({ label }: { label: string }) {
  const { pending } = useLinkStatus();
  if (!pending) return null;
  return (
    <>
      <span
        role="status"
        aria-live="polite"
        className="ml-2 inline-block h-3 w-3 animate-spin rounded-full border-2 border-indigo-300 border-t-indigo-700 align-middle"
      >
        <span className="sr-only">{label}</span>
      </span>
      <span
        aria-hidden
        className="fixed inset-x-0 top-0 z-50 h-0.5 animate-pulse bg-indigo-600"
        data-testid="nav-pending"
      />
    </>
  );
}

/** The sidebar's links: the current page is marked (aria-current="page") and highlighted. */
export function NavLinks({ items, loadingLabel }: { items: { href: string; label: string }[]; loadingLabel: string }) {
  const pathname = usePathname() ?? "/";
  return (
    <>
      {items.map((i) => {
        const current = isCurrent(i.href, pathname);
        return (
          <Link
            key={i.href}
            href={i.href}
            aria-current={current ? "page" : undefined}
            className={`block rounded px-3 py-2 text-sm ${current ? "border-l-4 border-indigo-600 bg-indigo-50 font-semibold text-indigo-700" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {i.label}
            <Pending label={loadingLabel} />
          </Link>
        );
      })}
    </>
  );
}
