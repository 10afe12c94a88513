import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  // Prettier lays the code out at 120 columns (.prettierrc.json, `npm run format:check` in CI); this catches what it
  // leaves alone: comments. Strings, template literals and URLs may run longer rather than be cut.
  {
    rules: {
      "max-len": [
        "error",
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    ignores: [
      "**/.next/**",
      ".next-*/**",
      ".data-e2e*/**",
      "node_modules/**",
      ".data/**",
      ".test-data/**",
      "drizzle/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
    ],
  },
];
export default config;
