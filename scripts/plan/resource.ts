/** One policy finding, as the plan reports it. */
export interface PlanViolation {
  policy: string;
  urn: string;
  message: string;
  enforcementLevel: "mandatory" | "advisory";
}

/** One resource of the plan (DESIGN.md section 6). */
export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  inputs: unknown;
  state: unknown;
}
