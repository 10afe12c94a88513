// `npm run sandbox`: the Ping++ sandbox on its own (state and key pair under .data/sandbox), for
// a console pointed at it with PINGPP_API_KEY/PINGPP_API_BASE/PINGPP_PUBLIC_KEY_PATH, or for the
// official SDKs. (Without a key, `npm run dev` and `npm start` start it in their own process:
// lib/startup.ts.)
import fs from "node:fs";
import path from "node:path";
import { startSandbox } from "../lib/pingpp-sandbox";

async function main() {
  const port = Number(process.env.PINGPP_SANDBOX_PORT ?? 4010);
  const dataDir = path.resolve(process.cwd(), process.env.PINGPP_SANDBOX_DATA_DIR ?? ".data/sandbox");
  const webhookUrl = process.env.PINGPP_SANDBOX_WEBHOOK_URL ?? "http://127.0.0.1:3000/api/webhooks/pingpp";
  const merchantKeyPath = process.env.PINGPP_SANDBOX_MERCHANT_PUBLIC_KEY_PATH;
  const sandbox = await startSandbox({
    port,
    host: process.env.PINGPP_SANDBOX_HOST ?? "127.0.0.1",
    dataDir,
    webhookUrl,
    publicUrl: process.env.PINGPP_SANDBOX_PUBLIC_URL,
    timeScale: process.env.PINGPP_SANDBOX_TIME_SCALE ? Number(process.env.PINGPP_SANDBOX_TIME_SCALE) : undefined,
    // a merchant public key: every API request must then carry a valid Pingplusplus-Signature
    merchantPublicKeyPem: merchantKeyPath ? fs.readFileSync(merchantKeyPath, "utf8") : undefined,
  });
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`Ping++ sandbox listening on ${sandbox.url}`);
  console.log(`  base URL:     ${sandbox.url}  (API ${sandbox.url}/v1; PINGPP_API_BASE=${sandbox.url})`);
  console.log(`  app id:       ${sandbox.appId}`);
  console.log(`  api key:      ${sandbox.apiKey}`);
  console.log(`  public key:   ${sandbox.publicKeyPath ?? "(in memory)"}  (verifies its webhooks)`);
  console.log(`  webhooks to:  ${webhookUrl}`);
  console.log(
    `  requests:     ${merchantKeyPath ? `signature required (merchant public key ${merchantKeyPath})` : "not signature-checked (PINGPP_SANDBOX_MERCHANT_PUBLIC_KEY_PATH to require it)"}`,
  );
  console.log(`  dashboard:    ${sandbox.url}/`);
  console.log(`  pay pages:    ${sandbox.publicUrl}/pay/<charge id>  (what QR credentials encode)`);
  console.log(`  controls:     ${sandbox.url}/_sim`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
