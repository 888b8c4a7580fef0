export const metadata = { title: "Offline" };

export default function OfflinePage() {
  return (
    <main id="main">
      <h1>You are offline</h1>
      <p>
        Helio needs a connection to show your account: nothing personal is kept on this device. Reconnect and
        reload the page.
      </p>
    </main>
  );
}
