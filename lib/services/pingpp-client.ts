import "server-only";
import { createPingpp, type Pingpp } from "../pingpp";
import { env } from "../env";

let client: Pingpp | undefined;

/** The configured Ping++ client (the sandbox in zero-set-up mode). Server only: it holds the key. */
export function pingpp(): Pingpp {
  if (!client) {
    const { apiKey, apiBase, privateKeyPem, timeoutMs } = env().pingpp;
    client = createPingpp({ apiKey, apiBase, privateKeyPem, timeoutMs });
  }
  return client;
}
