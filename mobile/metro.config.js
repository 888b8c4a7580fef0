// The npm workspace root holds the web app's React (a newer patch release); every module
// of this app's bundles must share this package's React and React DOM, or hooks break.
const path = require("node:path");
const { getDefaultConfig } = require("expo/metro-config");

const config = getDefaultConfig(__dirname);
const pinned = new Set(["react", "react-dom"]);
const resolveRequest = config.resolver.resolveRequest;
config.resolver.resolveRequest = (context, moduleName, platform) => {
  const root = moduleName.split("/")[0];
  if (pinned.has(root)) {
    return context.resolveRequest({ ...context, originModulePath: path.join(__dirname, "index.ts") }, moduleName, platform);
  }
  return resolveRequest ? resolveRequest(context, moduleName, platform) : context.resolveRequest(context, moduleName, platform);
};
module.exports = config;
