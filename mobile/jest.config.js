/** Jest with jest-expo (the React Native preset) and Testing Library for screens. */
module.exports = {
  preset: "jest-expo",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  setupFiles: ["<rootDir>/__tests__/setup.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/setup.ts", "<rootDir>/e2e/"],
  transformIgnorePatterns: [
    "node_modules/(?!((jest-)?react-native|@react-native(-community)?)|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|@sentry/react-native|native-base|react-native-svg|react-native-ssl-public-key-pinning|@noble/.*|openapi-fetch|@helio/.*)",
  ],
};
