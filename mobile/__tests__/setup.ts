// The native pinning module exists only in a native build; Jest sees its JS side.
jest.mock("react-native-ssl-public-key-pinning", () => ({
  initializeSslPinning: jest.fn(async () => undefined),
  isSslPinningAvailable: jest.fn(() => false),
}));
