/** The audit search form's fields → the API's query (blank fields left out). */
export interface AuditFilters {
  action?: string;
  actor?: string;
  resource?: string;
  since?: string;
  until?: string;
}

export function auditQuery(filters: AuditFilters): AuditFilters {
  const out: AuditFilters = {};
  for (const key of ["action", "actor", "resource", "since", "until"] as const) {
    const value = typeof filters[key] === "string" ? filters[key].trim() : "";
    if (value) out[key] = value.slice(0, 80);
  }
  return out;
}
