"use client";
import { createContext, useContext, useEffect, useRef, useState } from "react";
import { usePathname } from "next/navigation";

/**
 * The console's sidebar on a narrow screen (< md, e.g. a 390 px phone): hidden behind a menu
 * button in the header, opened as a drawer over the page. From md up it is the ordinary sidebar
 * and the button is not shown. Keyboard: the button is a real <button> (aria-expanded,
 * aria-controls); opening moves focus into the drawer, Escape or the close button shuts it and
 * returns focus to the menu button; following a link closes it.
 */
const DrawerContext = createContext<{
  open: boolean;
  setOpen: (open: boolean) => void;
  button: React.RefObject<HTMLButtonElement | null>;
} | null>(null);

const DRAWER_ID = "console-sidebar";

export function NavDrawerProvider({ children }: { children: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement | null>(null);
  const pathname = usePathname();
  const [shownFor, setShownFor] = useState(pathname);
  // a link followed inside the drawer: the new page shows with the drawer shut
  if (shownFor !== pathname) {
    setShownFor(pathname);
    if (open) setOpen(false);
  }
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  return <DrawerContext.Provider value={{ open, setOpen, button }}>{children}</DrawerContext.Provider>;
}

function useDrawer() {
  const ctx = useContext(DrawerContext);
  if (!ctx) throw new Error("NavDrawerProvider missing");
  return ctx;
}

/** The header's menu button (narrow screens only). */
export function NavMenuButton({ label }: { label: string }) {
  const { open, setOpen, button } = useDrawer();
  return (
    <button
      ref={button}
      type="button"
      aria-expanded={open}
      aria-controls={DRAWER_ID}
      onClick={() => setOpen(!open)}
      className="mr-auto inline-flex items-center gap-2 rounded-md border border-slate-300 px-2 py-1 text-slate-700 hover:bg-slate-100 md:hidden"
      data-testid="nav-menu-button"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
        <path d="M3 5h14v2H3zM3 9h14v2H3zM3 13h14v2H3z" />
      </svg>
      {label}
    </button>
  );
}

/** The sidebar itself: always shown from md up; below, only while open, as a drawer with a backdrop. */
export function NavDrawer({ closeLabel, children }: { closeLabel: string; children: React.ReactNode }) {
  const { open, setOpen, button } = useDrawer();
  const panel = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>("a, button")?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <>
      {open ? (
        <div className="fixed inset-0 z-30 bg-slate-900/40 md:hidden" aria-hidden="true" onClick={close} />
      ) : null}
      <aside
        id={DRAWER_ID}
        ref={panel}
        data-open={open}
        className={`${open ? "fixed inset-y-0 left-0 z-40 flex overflow-y-auto shadow-xl" : "hidden"} w-56 shrink-0 flex-col border-r border-slate-200 bg-white md:static md:flex md:shadow-none print:hidden`}
      >
        <button
          type="button"
          onClick={close}
          className="m-2 self-end rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 md:hidden"
        >
          {closeLabel}
        </button>
        {children}
      </aside>
    </>
  );
}
