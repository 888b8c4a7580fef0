"use client";

import { useState } from "react";

import { Field } from "@/components/Field";

export interface PlaneValues {
  area_m2?: number;
  tilt_deg?: number;
  azimuth_deg?: number;
  shading_loss_pct?: number;
}

/** Inputs `planes.<i>.<field>` for each roof plane, with a button for one more. */
export function RoofPlanesFields({ initial, errors }: { initial: PlaneValues[]; errors: Record<string, string> }) {
  const [planes, setPlanes] = useState<PlaneValues[]>(initial.length > 0 ? initial : [{}]);
  return (
    <fieldset>
      <legend>Roof planes</legend>
      <p className="hint">Each part of the roof that could hold panels: its area, its slope, and the way it faces (180° is south).</p>
      {errors.roof_planes ? <p className="field-error">{errors.roof_planes}</p> : null}
      {planes.map((plane, i) => (
        <fieldset key={i}>
          <legend>Plane {i + 1}</legend>
          <div className="row">
            <Field label="Area (m²)" name={`planes.${i}.area_m2`} inputMode="decimal" defaultValue={plane.area_m2 ?? ""} errors={errors} />
            <Field label="Tilt (°)" name={`planes.${i}.tilt_deg`} inputMode="decimal" defaultValue={plane.tilt_deg ?? ""} errors={errors} />
            <Field label="Facing (°)" name={`planes.${i}.azimuth_deg`} inputMode="decimal" defaultValue={plane.azimuth_deg ?? ""} errors={errors} />
            <Field label="Shading loss (%)" name={`planes.${i}.shading_loss_pct`} inputMode="decimal" defaultValue={plane.shading_loss_pct ?? ""} errors={errors} />
          </div>
        </fieldset>
      ))}
      <p>
        <button type="button" className="secondary" onClick={() => setPlanes([...planes, {}])}>
          Add a roof plane
        </button>
      </p>
    </fieldset>
  );
}
