import net from "node:net";

/**
 * How the proxy treats traffic:
 * - `up`: bytes flow both ways;
 * - `down`: the server is gone: open connections are reset, and so is each new one at once (the
 *   port stays bound, so nothing else can take it and `up` always gets it back);
 * - `answers-lost`: requests reach the server but its answers never come back (connections stay open);
 * - `blackhole`: nothing flows either way, new connections are accepted and left hanging.
 */
export type ProxyMode = "up" | "down" | "answers-lost" | "blackhole";

export interface TcpProxy {
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections passed on so far (refused ones are not counted). */
  readonly accepted: number;
  /** Bytes received from clients so far, whether passed on or not. */
  readonly bytesIn: number;
  setMode(mode: ProxyMode): void;
  /** Hold each chunk of the server's answers this long before passing it on (a slow server; 0 = none). */
  setLatency(ms: number): void;
  /** `url` (postgres://…, http://…) with its host and port replaced by the proxy's. */
  via(url: string): string;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real server (Postgres, the Ping++ sandbox) that a test can switch
 * between the modes above, to make a dependency fail the way networks and servers do.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "up";
  let accepted = 0;
  let bytesIn = 0;
  let latencyMs = 0;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();

  const onConnection = (client: net.Socket) => {
    if (mode === "down") {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (d: Buffer) => {
      bytesIn += d.length;
      if (mode === "up" || mode === "answers-lost") upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      if (mode !== "up") return;
      // Same delay for every chunk: timers of equal delay fire in order, so the bytes stay in order.
      if (latencyMs > 0) setTimeout(() => mode === "up" && !client.destroyed && client.write(d), latencyMs);
      else client.write(d);
    });
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  };

  const server = net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    get bytesIn() {
      return bytesIn;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setMode(next) {
      mode = next;
      if (next === "down") {
        for (const { client, upstream } of pairs) {
          client.resetAndDestroy();
          upstream.destroy();
        }
        pairs.clear();
      }
    },
    via(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    async close() {
      mode = "down";
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
