import { isIPv4 } from "node:net";

/**
 * True for names that only reach this machine: "localhost", 127.0.0.0/8 and ::1 (bracketed or
 * not, and IPv4-mapped). Anything else, 0.0.0.0 and "::" included, may be reachable from the network.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
  const ipv4 = name.startsWith("::ffff:") ? name.slice("::ffff:".length) : name;
  return isIPv4(ipv4) && ipv4.startsWith("127.");
}
