"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** True when `pathname` is the page of `href` or one of its sub-pages ("/" only for itself). */
export function isCurrent(href: string, pathname: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}

/** The sidebar's links: the current page is marked (aria-current="page") and highlighted. */
export function NavLinks({ items }: { items: { href: string; label: string }[] }) {
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
            className={`block rounded px-3 py-2 text-sm ${current ? "bg-indigo-50 font-semibold text-indigo-700 border-l-4 border-indigo-600" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {i.label}
          </Link>
        );
      })}
    </>
  );
}
