// `npm run sandbox`: the Ping++ sandbox on its own (state and key pair under .data/sandbox).
import path from "node:path";
import { startSandbox } from "../lib/pingpp-sandbox";

async function main() {
  const port = Number(process.env.PINGPP_SANDBOX_PORT ?? 4010);
  const dataDir = path.resolve(process.cwd(), ".data/sandbox");
  const webhookUrl = process.env.PINGPP_SANDBOX_WEBHOOK_URL ?? "http://127.0.0.1:3000/api/webhooks/pingpp";
  const sandbox = await startSandbox({
    port,
    host: process.env.PINGPP_SANDBOX_HOST ?? "127.0.0.1",
    dataDir,
    webhookUrl,
    publicUrl: process.env.PINGPP_SANDBOX_PUBLIC_URL,
  });
  console.log(`Ping++ sandbox listening on ${sandbox.url} (API base ${sandbox.url}/v1)`);
  console.log(`  api key:      ${sandbox.apiKey}`);
  console.log(`  app id:       ${sandbox.appId}`);
  console.log(`  webhooks to:  ${webhookUrl}`);
  console.log(`  public key:   ${sandbox.publicKeyPath ?? "(in memory)"}`);
  console.log(`  controls:     ${sandbox.url}/_sim`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
