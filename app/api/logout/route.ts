import { seeOther } from "@/lib/http/see-other";
import { signOut } from "@/lib/auth/config";
import { fromThisSite } from "@/lib/html/page";

export const dynamic = "force-dynamic";

/** The plain pages' sign-out (lib/html/page.ts `logoutForm`): ends the session, then /login (303). */
export async function POST(req: Request) {
  if (!fromThisSite(req)) return Response.json({ error: "forbidden" }, { status: 403 });
  await signOut({ redirect: false });
  return seeOther("/login");
}
