import { seeOther } from "@/lib/http/see-other";
import { fromThisSite, safeBack } from "@/lib/html/page";
import { setLocaleCookie } from "@/lib/i18n/locale-cookie";

export const dynamic = "force-dynamic";

/**
 * The plain pages' language switch (lib/html/page.ts `localeSwitchForm`): a display preference,
 * not data, so it needs no session (the login page has it too), only a post from this site.
 * Answers 303 back to the page it came from.
 */
export async function POST(req: Request) {
  if (!fromThisSite(req)) return Response.json({ error: "forbidden" }, { status: 403 });
  const form = await req.formData().catch(() => null);
  if (!form || !(await setLocaleCookie(form.get("locale"))))
    return Response.json({ error: "invalid_locale" }, { status: 400 });
  return seeOther(safeBack(form.get("back")));
}
