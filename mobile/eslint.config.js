// https://docs.expo.dev/guides/using-eslint/
const { defineConfig } = require("eslint/config");
const expoConfig = require("eslint-config-expo/flat");

module.exports = defineConfig([
  expoConfig,
  { ignores: ["dist/*", "dist-*/*", ".expo/*", "test-results/*"] },
  {
    rules: {
      "no-console": "error",
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "@react-native-async-storage/async-storage", message: "Nothing personal is stored outside the keystore." }] },
      ],
    },
  },
]);
