// Protects: the client address rule (CLUSTERDECK_TRUST_PROXY hops from the
// right of X-Forwarded-For, which the front server ends with the socket's
// address), so what a client writes itself never names the address that the
// audit records and the sign-in throttle counts. End to end with real
// proxies: cli/front-server.test.ts.
import { describe, expect, it } from "vitest";
import { clientFromChain } from "@/lib/auth/client-ip";

describe("clientFromChain", () => {
  it("takes the entry `hops` from the right", () => {
    const chain = "203.0.113.9, 198.51.100.2, 10.0.0.5, 10.0.0.6";
    expect(clientFromChain(chain, 0)).toBe("10.0.0.6");
    expect(clientFromChain(chain, 1)).toBe("10.0.0.5");
    expect(clientFromChain(chain, 2)).toBe("198.51.100.2");
    expect(clientFromChain(chain, 3)).toBe("203.0.113.9");
  });

  it("takes the leftmost when the chain is shorter than the proxies said", () => {
    expect(clientFromChain("198.51.100.2, 10.0.0.6", 5)).toBe("198.51.100.2");
  });

  it("reads ports and brackets, writes IPv4-mapped IPv6 as IPv4, and refuses what is no address", () => {
    expect(clientFromChain("198.51.100.2:5123", 0)).toBe("198.51.100.2");
    expect(clientFromChain("[2001:DB8::1]:443", 0)).toBe("2001:db8::1");
    expect(clientFromChain("2001:db8::1", 0)).toBe("2001:db8::1");
    expect(clientFromChain("::ffff:192.0.2.1", 0)).toBe("192.0.2.1");
    for (const junk of ["unknown", "", "<script>", "999.999.999.999", "x".repeat(5000), "1.1.1.1 2.2.2.2"]) expect(clientFromChain(junk, 0), junk).toBeNull();
    expect(clientFromChain("10.0.0.5, ,", 0)).toBeNull();
  });
});
