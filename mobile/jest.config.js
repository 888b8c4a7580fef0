/** Jest with jest-expo (the React Native preset) and Testing Library for screens. */
module.exports = {
  preset: "jest-expo",
  roots: ["<rootDir>/__tests__"],
  // The workspace root holds the web app's React; the app and its renderer use this one.
  moduleNameMapper: {
    "^react$": "<rootDir>/node_modules/react",
    "^react/(.*)$": "<rootDir>/node_modules/react/$1",
    "^react-dom$": "<rootDir>/node_modules/react-dom",
    "^react-dom/(.*)$": "<rootDir>/node_modules/react-dom/$1",
  },
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  // Screen tests render whole flows (sign-in, lists, a chart); on a busy 2-core CI machine one
  // took over Jest's 5 s default.
  testTimeout: 30000,
  setupFiles: ["<rootDir>/__tests__/setup.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/setup.ts", "<rootDir>/e2e/"],
  transformIgnorePatterns: [
    "node_modules/(?!((jest-)?react-native|@react-native(-community)?)|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|@sentry/react-native|native-base|react-native-svg|react-native-ssl-public-key-pinning|@noble/.*|openapi-fetch|@helio/.*)",
  ],
};
