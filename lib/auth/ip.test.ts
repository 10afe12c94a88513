import { describe, expect, it } from "vitest";
import { clientIp } from "./ip";

const h = (xff?: string, realIp?: string) =>
  new Headers({ ...(xff !== undefined ? { "x-forwarded-for": xff } : {}), ...(realIp ? { "x-real-ip": realIp } : {}) });

describe("clientIp: the address our own proxies saw, not what the client claims", () => {
  it("behind one proxy, takes the entry that proxy appended; a forged entry to its left changes nothing", () => {
    expect(clientIp(h("203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIp(h("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIp(h("1.1.1.1,2.2.2.2 , 203.0.113.7"), 1)).toBe("203.0.113.7");
  });

  it("behind two proxies, skips the inner proxy's own entry", () => {
    expect(clientIp(h("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
    expect(clientIp(h("203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
    // fewer entries than hops: the leftmost is the best there is
    expect(clientIp(h("203.0.113.7"), 2)).toBe("203.0.113.7");
  });

  it("falls back to X-Real-IP, then to unknown; never more than 64 characters", () => {
    expect(clientIp(h(undefined, "198.51.100.4"), 1)).toBe("198.51.100.4");
    expect(clientIp(h(" , ", undefined), 1)).toBe("unknown");
    expect(clientIp(h(), 1)).toBe("unknown");
    expect(clientIp(h("x".repeat(500)), 1)).toHaveLength(64);
  });
});
