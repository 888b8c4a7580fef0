import { SiteForm } from "./SiteForm";

export const metadata = { title: "Add a home" };

export default function NewSitePage() {
  return (
    <main id="main">
      <h1>Add a home</h1>
      <SiteForm />
    </main>
  );
}
