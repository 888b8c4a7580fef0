import type { Schemas } from "@helio/api-client";

import { byCategory, codeSpans, VERDICT_LABELS, type Verdict } from "@/lib/self-audit";
import { TableWrap } from "./TableWrap";

/** Text with its `backquoted` commands as code. */
function CheckText({ text }: { text: string }) {
  return (
    <>
      {codeSpans(text).map((span, i) => (span.code ? <code key={i}>{span.text}</code> : <span key={i}>{span.text}</span>))}
    </>
  );
}

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <span className={`badge verdict-${verdict}`}>{VERDICT_LABELS[verdict]}</span>;
}

/**
 * The report's checks under their OWASP categories, A01–A10 in order; each check with its
 * verdict, severity, evidence and fix. A category without an automated check says so.
 */
export function SelfAuditFindings({ findings }: { findings: Schemas["SelfAuditFindingRead"][] }) {
  return (
    <>
      {byCategory(findings).map((group) => (
        <section key={group.id} className="card" aria-labelledby={`category-${group.id}`} data-testid="self-audit-category">
          <h3 id={`category-${group.id}`}>
            {group.id} {group.title}
          </h3>
          {group.findings.length === 0 ? (
            <p className="hint">No automated check in this category; the seed audit map names who reviews it by hand.</p>
          ) : (
            <>
              <p className="hint">
                {group.counts.fail} failed, {group.counts.warn} warning(s), {group.counts.manual} manual, {group.counts.pass} passed
              </p>
              <TableWrap label={`${group.id} checks`}>
                <table className="findings">
                  <caption className="visually-hidden">
                    {group.id} {group.title}: checks
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Check</th>
                      <th scope="col">Verdict</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Evidence and fix</th>
                    </tr>
                  </thead>
                  <tbody>
                    {group.findings.map((finding) => (
                      <tr key={finding.id} data-testid="self-audit-finding" data-check={finding.id}>
                        <th scope="row">
                          {finding.title}
                          <br />
                          <span className="reference">{finding.id}</span>
                        </th>
                        <td>
                          <VerdictBadge verdict={finding.verdict} />
                        </td>
                        <td>{finding.severity}</td>
                        <td className="evidence">
                          <ul>
                            {finding.evidence.map((line, i) => (
                              <li key={i}>
                                <CheckText text={line} />
                              </li>
                            ))}
                          </ul>
                          <p className="fix">
                            <strong>Fix:</strong> <CheckText text={finding.fix} />
                          </p>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </>
          )}
        </section>
      ))}
    </>
  );
}
