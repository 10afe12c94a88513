"use client";
import { logoutAction } from "@/lib/actions/auth";

export function LogoutButton({ label }: { label: string }) {
  return (
    <form action={logoutAction}>
      <button type="submit" className="rounded px-2 py-1 text-slate-600 hover:bg-slate-100">
        {label}
      </button>
    </form>
  );
}
