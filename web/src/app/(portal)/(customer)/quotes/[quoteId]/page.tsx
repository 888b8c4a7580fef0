import { ApiError } from "@helio/api-client";

import { LoadFailed } from "@/components/LoadFailed";
import { ProductionChart } from "@/components/ProductionChart";
import { quoteFigures } from "@/lib/quote";
import { load } from "@/lib/server-api";

import { PlaceOrder } from "./PlaceOrder";

export const metadata = { title: "Your quote" };

export default async function QuotePage({ params }: { params: Promise<{ quoteId: string }> }) {
  const { quoteId } = await params;
  const quote = await load((api) => api.GET("/api/v1/quotes/{quote_id}", { params: { path: { quote_id: quoteId } } }));
  if (quote instanceof ApiError) return <LoadFailed title="Your quote" error={quote} />;
  const f = quoteFigures(quote);
  return (
    <main id="main">
      <h1>
        Your quote: {quote.system_kwp} kWp for {quote.net_price} {quote.currency}
      </h1>
      {quote.expired ? <p className="alert info">This quote has expired; ask for a fresh one from your home&apos;s page.</p> : null}
      <div className="card">
        <dl className="facts">
          <dt>Panels</dt>
          <dd>{f.panels}</dd>
          <dt>Production in a year</dt>
          <dd>{f.annualProduction} kWh</dd>
          <dt>Your use in a year</dt>
          <dd>{f.annualUsage} kWh</dd>
          <dt>Share of your use covered</dt>
          <dd>{f.offset}%</dd>
          <dt>Savings over {f.horizon} years</dt>
          <dd>
            {f.totalSavings} {quote.currency}
          </dd>
          <dt>Pays for itself in</dt>
          <dd>{f.payback === null ? "more than the horizon" : `year ${f.payback}`}</dd>
          <dt>Valid until</dt>
          <dd>{quote.valid_until.slice(0, 10)}</dd>
        </dl>
      </div>
      {quote.expired ? null : <PlaceOrder quoteId={quote.id} />}
      <h2>Production against your use, month by month</h2>
      <ProductionChart production={f.monthlyProduction} usage={f.monthlyUsage} />
      <h2>What this quote assumes</h2>
      <ul>
        {f.assumptions.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </main>
  );
}
