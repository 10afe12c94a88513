import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getActor } from "@/lib/auth/session";
import { LoginForm } from "./login-form";
import { LocaleSwitch } from "@/components/locale-switch";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await getActor().catch(() => null)) redirect("/");
  const t = await getTranslations();
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm space-y-6 rounded-xl bg-white p-8 shadow">
        <div className="flex items-start justify-between">
          <div>
            <p className="text-sm text-slate-500">{t("app.name")}</p>
            <h1 className="text-2xl font-semibold">{t("login.title")}</h1>
          </div>
          <LocaleSwitch />
        </div>
        <LoginForm />
      </div>
    </main>
  );
}
