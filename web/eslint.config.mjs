import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "next-env.d.ts", "e2e/screenshots/**", "playwright-report/**", "test-results/**"],
  },
  {
    rules: {
      // User text is rendered as text: no raw HTML anywhere in the app.
      "react/no-danger": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "JSXAttribute[name.name='style']", message: "Inline styles break the CSP; use CSS classes." },
        { selector: "MemberExpression[property.name=/^(localStorage|sessionStorage|indexedDB)$/]", message: "No client-side storage of account data." },
      ],
    },
  },
];

export default config;
