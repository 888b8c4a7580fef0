import { VerifyEmail } from "./VerifyEmail";

export const metadata = { title: "Confirm your email" };

export default function VerifyEmailPage() {
  return (
    <main id="main">
      <h1>Confirm your email</h1>
      <VerifyEmail />
    </main>
  );
}
