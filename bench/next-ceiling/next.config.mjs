/** bench/next-ceiling: a minimal Next.js app the benches measure the console against (bench/lib.ts startCeiling). */
const config = { serverExternalPackages: ["postgres"], poweredByHeader: false };
export default config;
