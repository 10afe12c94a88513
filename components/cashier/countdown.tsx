"use client";
import { useEffect, useState } from "react";

/** mm:ss until `until` (ISO), re-rendering every second; "00:00" once past. */
export function useCountdown(until: string | null): { text: string; over: boolean } {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  if (!until) return { text: "", over: false };
  const left = Math.max(0, Math.floor((Date.parse(until) - now) / 1000));
  const text = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
  return { text, over: left === 0 };
}
