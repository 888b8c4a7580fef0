"use client";

import { unwrap, type Schemas } from "@helio/api-client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ErrorNotice, Notice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { StepUpForm } from "@/components/StepUpForm";
import { browserApi } from "@/lib/browser-api";
import { useGuardedAction } from "@/lib/use-guarded";

const ROLES = ["support", "sales", "engineer", "admin"] as const;
type StaffRole = (typeof ROLES)[number];

function RoleBoxes({ prefix, checked }: { prefix: string; checked: readonly string[] }) {
  return (
    <fieldset>
      <legend>Roles</legend>
      {ROLES.map((role) => (
        <div key={role}>
          <input type="checkbox" id={`${prefix}-${role}`} name="roles" value={role} defaultChecked={checked.includes(role)} />{" "}
          <label htmlFor={`${prefix}-${role}`} className="inline">
            {role}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

export function InviteStaff() {
  const router = useRouter();
  const { busy, problem, guarded, fields, needsStepUp, stepUpDone } = useGuardedAction();
  const [sent, setSent] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      email: String(form.get("email")).trim(),
      full_name: String(form.get("full_name")).trim(),
      roles: form.getAll("roles").map(String) as StaffRole[],
    };
    const ok = await guarded(() => unwrap(browserApi().POST("/api/v1/admin/staff", { body })));
    if (ok) {
      setSent(true);
      router.refresh();
    }
  }

  return (
    <form onSubmit={submit} noValidate className="card" aria-label="Invite a colleague">
      <h2>Invite a colleague</h2>
      <ErrorNotice problem={problem} />
      {needsStepUp ? <StepUpForm onDone={stepUpDone} usePassword={false} /> : null}
      {sent ? <Notice>The invitation is on its way.</Notice> : null}
      <Field label="Full name" name="full_name" required errors={fields} />
      <Field label="Work email" name="email" type="email" required errors={fields} />
      <RoleBoxes prefix="invite" checked={["support"]} />
      <button type="submit" disabled={busy}>
        Send the invitation
      </button>
    </form>
  );
}

export function StaffRow({ staff, manage }: { staff: Schemas["StaffRead"]; manage: boolean }) {
  const router = useRouter();
  const { busy, problem, guarded, needsStepUp, stepUpDone } = useGuardedAction();
  const [editing, setEditing] = useState(false);
  const path = { params: { path: { staff_id: staff.id } } };

  async function save(body: Schemas["StaffUpdate"]) {
    const ok = await guarded(() => unwrap(browserApi().PATCH("/api/v1/admin/staff/{staff_id}", { ...path, body })));
    if (ok) {
      setEditing(false);
      router.refresh();
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void save({ roles: new FormData(event.currentTarget).getAll("roles").map(String) as StaffRole[] });
  }

  return (
    <tr>
      <td>{staff.full_name ?? "—"}</td>
      <td>{staff.email}</td>
      <td>
        {staff.roles.join(", ")}
        {manage ? (
          <>
            <ErrorNotice problem={problem} />
            {needsStepUp ? <StepUpForm onDone={stepUpDone} usePassword={false} /> : null}
            {editing ? (
              <form onSubmit={submit} noValidate>
                <RoleBoxes prefix={`roles-${staff.id}`} checked={staff.roles} />
                <button type="submit" disabled={busy}>
                  Save roles
                </button>
              </form>
            ) : (
              <div className="actions">
                <button type="button" className="secondary" onClick={() => setEditing(true)}>
                  Change roles
                </button>
                <button type="button" className="secondary" disabled={busy} onClick={() => save({ active: staff.status !== "active" })}>
                  {staff.status === "active" ? "Deactivate" : "Reactivate"}
                </button>
              </div>
            )}
          </>
        ) : null}
      </td>
      <td>{staff.status}</td>
      <td>{staff.mfa_methods.length > 0 ? staff.mfa_methods.join(", ") : "none"}</td>
    </tr>
  );
}
